import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobClient, ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { builtinPlugins } from '../../src/main/builtin-plugins.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { removeDir, startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type AzuriteServer } from './helpers/azurite-server.js';
import { startArmServer, type ArmServer } from './helpers/arm-server.js';

/**
 * Through the REST API with the product's plugins: a small disk imported as a base image, built
 * into the azure target (fixed VHD), pushed with a SAS for the blob and a service principal for
 * ARM, checked in Azurite and the ARM test server, then deleted. Every credential field holds a
 * marker that must appear in no response, log or file under the data directory.
 */
const SUB = '0a0b0c0d-1111-2222-3333-444455556666';
const TENANT = 'marker-tenant-9f3e1c.example.org';
const CLIENT = 'c0ffee00-5ec2-4e7a-9c3b-00000000beef';
const SECRET = 'MARKER-client-secret~7Qx.9';
let root: string;
let azurite: AzuriteServer;
let arm: ArmServer;
let d: TestDaemon;
let sas: string;
let sig: string;
const json = { 'content-type': 'application/json', accept: 'application/json' };

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'azure-e2e-'));
  azurite = await startAzurite(root);
  arm = await startArmServer(root, {
    tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET, subscriptionId: SUB, resourceGroups: ['rg-e2e'],
    inspectBlob: async (uri) => {
      const blob = new BlobClient(uri, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
      const props = await blob.getProperties().catch(() => null);
      if (!props) return { exists: false };
      const size = props.contentLength ?? 0;
      return { exists: true, blobType: props.blobType, size, tail: await blob.downloadToBuffer(size - 512, 512) };
    },
  });
  // A container SAS (read, create, write, delete), as an administrator would hand it out.
  await azurite.service.getContainerClient('vhds').create();
  const q = generateBlobSASQueryParameters({
    containerName: 'vhds', permissions: ContainerSASPermissions.parse('rcwd'), expiresOn: new Date(Date.now() + 3600_000),
  }, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  sas = q.toString();
  sig = q.signature;
  d = await startTestDaemon({ plugins: builtinPlugins() });
});
after(async () => {
  await d?.stop();
  await arm?.stop();
  await azurite?.stop();
  if (d) await removeDir(d.dataDir);
  await rm(root, { recursive: true, force: true });
});

const post = (path: string, body: unknown) => fetch(`${d.url}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
const provider = () => ({
  type: 'azure', subscription_id: SUB, resource_group: 'rg-e2e', location: 'northeurope', storage_account: AZURITE_ACCOUNT,
  blob_endpoint: azurite.blobEndpoint, arm_endpoint: arm.url, authority_host: arm.url, ca_certificate: arm.caPem, image_name: 'e2e-image',
});
const credentials = (secret = SECRET) => ({ azure_credentials: { tenant_id: TENANT, client_id: CLIENT, client_secret: secret, storage_sas: sas } });
const MARKERS = () => [TENANT, CLIENT, SECRET, sas, sig, encodeURIComponent(sig)];

function assertNoMarker(text: string, where: string) {
  for (const m of MARKERS()) assert.ok(!text.includes(m), `${where} contains a credential value (${m.slice(0, 6)}…)`);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  return out;
}

test('import → azure target → provider image in Azurite + ARM → DELETE; a wrong secret fails; no credential value is ever shown or stored', async () => {
  const disk = await makeSyntheticDisk(root, { sizeMiB: 32 });
  const imported = await fetch(`${d.url}/imagefactory/base_images/import?name=az-e2e&os_name=Debian&os_version=12&arch=x86_64`, {
    method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: await readFile(disk.path),
  });
  assert.equal(imported.status, 202, await imported.clone().text());
  const base = (await imported.json()).base_image;
  assert.equal((await waitForStatus(d.url, `/imagefactory/base_images/${base.id}`, ['COMPLETE', 'FAILED'], 120_000)).status, 'COMPLETE');
  const t = (await (await post('/imagefactory/target_images', { target_image: { target: 'azure', base_image_id: base.id } })).json()).target_image;
  const built = await waitForStatus(d.url, `/imagefactory/target_images/${t.id}`, ['COMPLETE', 'FAILED'], 180_000);
  assert.equal(built.status, 'COMPLETE', JSON.stringify(built.status_detail));

  // Bad input is refused at POST, naming the field, without echoing any credential.
  const bad = await post('/imagefactory/provider_images', {
    provider_image: { target: 'azure', target_image_id: t.id, provider: { ...provider(), subscription_id: 'not-a-guid' }, credentials: credentials() },
  });
  assert.equal(bad.status, 400);
  const badText = await bad.text();
  assert.match(badText, /subscription_id/);
  assertNoMarker(badText, 'the 400 response');

  const res = await post('/imagefactory/provider_images', {
    provider_image: { target: 'azure', target_image_id: t.id, provider: provider(), credentials: credentials() },
  });
  const created = await res.text();
  assert.equal(res.status, 202, created);
  assertNoMarker(created, 'the 202 response');
  const p = JSON.parse(created).provider_image;
  const done = await waitForStatus(d.url, `/imagefactory/provider_images/${p.id}`, ['COMPLETE', 'FAILED'], 120_000);
  assert.equal(done.status, 'COMPLETE', JSON.stringify(done.status_detail));
  const id = `/subscriptions/${SUB}/resourceGroups/rg-e2e/providers/Microsoft.Compute/images/e2e-image`;
  assert.equal(done.identifier_on_provider, id);
  assert.equal(done.provider_account_identifier, SUB);
  const image = arm.resources.get(id.toLowerCase()) as { location: string; properties: { provisioningState: string; storageProfile: { osDisk: { blobUri: string } } } };
  assert.equal(image.properties.provisioningState, 'Succeeded');
  assert.equal(image.location, 'northeurope');

  // The page blob is the target image body, byte for byte.
  const blobUri = image.properties.storageProfile.osDisk.blobUri;
  assert.equal(blobUri, `${azurite.blobEndpoint}/vhds/imagefactory-${t.id}.vhd`);
  const body = await fetch(`${d.url}/imagefactory/target_images/${t.id}/raw_image`).then(async (r) => Buffer.from(await r.arrayBuffer()));
  const stored = await new BlobClient(blobUri, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)).downloadToBuffer();
  assert.equal(stored.length, body.length);
  assert.equal(createHash('sha256').update(stored).digest('hex'), createHash('sha256').update(body).digest('hex'));
  const log = await (await fetch(`${d.url}/imagefactory/provider_images/${p.id}/log`)).text();
  assert.match(log, /Put Page calls/);
  assertNoMarker(log, 'the push log');
  assertNoMarker(JSON.stringify(done), 'the provider image');

  // A wrong client secret: FAILED with Entra ID's message; the target image stays COMPLETE.
  const w = (await (await post('/imagefactory/provider_images', {
    provider_image: { target: 'azure', target_image_id: t.id, provider: provider(), credentials: credentials('MARKER-wrong-secret~1') },
  })).json()).provider_image;
  const failed = await waitForStatus(d.url, `/imagefactory/provider_images/${w.id}`, ['COMPLETE', 'FAILED'], 60_000);
  assert.equal(failed.status, 'FAILED');
  assert.match(String((failed.status_detail as Record<string, unknown>).error), /AADSTS7000215: Invalid client secret provided/);
  const failedLog = await (await fetch(`${d.url}/imagefactory/provider_images/${w.id}/log`)).text();
  for (const text of [JSON.stringify(failed), failedLog]) { assertNoMarker(text, 'the failed push'); assert.ok(!text.includes('MARKER-wrong-secret~1')); }
  assert.equal((await waitForStatus(d.url, `/imagefactory/target_images/${t.id}`, ['COMPLETE', 'FAILED'])).status, 'COMPLETE');

  const del = await fetch(`${d.url}/imagefactory/provider_images/${p.id}`, {
    method: 'DELETE', headers: json,
    body: JSON.stringify({ provider_image: { target: 'azure', provider: provider(), credentials: credentials() } }),
  });
  assert.equal(del.status, 204, await del.text());
  await waitForStatus(d.url, `/imagefactory/provider_images/${p.id}`, ['HTTP 404'], 60_000);
  assert.equal(arm.resources.has(id.toLowerCase()), false);
  assert.equal(await azurite.service.getContainerClient('vhds').getBlobClient(`imagefactory-${t.id}.vhd`).exists(), false);

  // Nothing under the data directory holds a credential value (database, logs, image files).
  const list = await (await fetch(`${d.url}/imagefactory/provider_images`)).text();
  assertNoMarker(list, 'the provider image list');
  for (const file of await filesUnder(d.dataDir)) {
    const bytes = await readFile(file);
    for (const m of MARKERS()) assert.equal(bytes.indexOf(m), -1, `${file} contains a credential value (${m.slice(0, 6)}…)`);
  }
});
