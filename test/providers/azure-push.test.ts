import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { createExec, runTool } from '../../src/platform/exec.js';
import { isAppError } from '../../src/domain/errors.js';
import { azureProvider } from '../../src/plugins/providers/azure/azure-plugin.js';
import { blobNameFor, checkAzureProvider } from '../../src/plugins/providers/azure/azure-push.js';
import { armCredential, computeClient } from '../../src/plugins/providers/azure/azure-clients.js';
import { readAzureProvider } from '../../src/plugins/providers/azure/azure-provider.js';
import { readAzureCredentials } from '../../src/plugins/providers/azure/azure-credentials.js';
import { pageRuns } from '../../src/plugins/providers/azure/page-blob-upload.js';
import { dataExtents, extentBytes } from '../../src/plugins/providers/shared/data-blocks.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { makeDeleteContext, makePushContext } from './helpers/push-context.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type AzuriteServer } from './helpers/azurite-server.js';
import { startArmServer, type ArmServer } from './helpers/arm-server.js';
import { startCountingProxy } from './helpers/counting-proxy.js';

/**
 * The Azure provider with the real SDKs: @azure/storage-blob against Azurite (the page blob, read
 * back byte for byte), @azure/identity + @azure/arm-compute against the ARM/Entra test server over
 * TLS (trusted through the provider's ca_certificate), which checks the source blob in Azurite.
 */
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0d3c8b1e-5a55-4e3c-9d0e-2b1f6f1d7a10';
const SECRET = 'Cl1ent~Secret.For-Tests_9';
const SUB = '11111111-2222-3333-4444-555555555555';
let root: string;
let azurite: AzuriteServer;
let arm: ArmServer;
let vhd: string;
let allocated: number;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'azure-push-'));
  const disk = await makeSyntheticDisk(root, { sizeMiB: 64, blobMiB: 6 });
  vhd = join(root, 'disk.vhd');
  // What the azure target builds: a fixed VHD, virtual size kept exactly (a whole number of MiB).
  await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed,force_size=on', disk.path, vhd]);
  allocated = extentBytes(await dataExtents(createExec({}), vhd));
  azurite = await startAzurite(root);
  arm = await startArmServer(root, {
    tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET, subscriptionId: SUB, resourceGroups: ['images-rg'],
    inspectBlob: async (uri) => {
      const blob = new BlobClient(uri, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
      const props = await blob.getProperties().catch(() => null);
      if (!props) return { exists: false };
      const size = props.contentLength ?? 0;
      const tail = size >= 512 ? await blob.downloadToBuffer(size - 512, 512) : Buffer.alloc(0);
      return { exists: true, blobType: props.blobType, size, tail };
    },
  });
  arm.addGalleryImage('images-rg', 'factory_gallery', 'debian-12', { osType: 'Linux', hyperVGeneration: 'V1' });
});
after(async () => {
  await arm?.stop();
  await azurite?.stop();
  await rm(root, { recursive: true, force: true });
});

const provider = (extra: Record<string, unknown> = {}) => ({
  type: 'azure', subscription_id: SUB, resource_group: 'images-rg', location: 'westeurope', storage_account: AZURITE_ACCOUNT,
  container: 'vhds', blob_endpoint: azurite.blobEndpoint, arm_endpoint: arm.url, authority_host: arm.url, ca_certificate: arm.caPem, ...extra,
});
const credentials = (secret = SECRET) => ({ tenant_id: TENANT, client_id: CLIENT, client_secret: secret, storage_account_key: AZURITE_KEY });
const target = (id: string) => ({ id, bodyPath: vhd, format: 'vhd', template: null, properties: {} });

function armGet(path: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${arm.url}${path}`, { ca: arm.caPem, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function sha256Of(stream: NodeJS.ReadableStream): Promise<string> {
  const h = createHash('sha256');
  for await (const c of stream) h.update(c as Buffer);
  return h.digest('hex');
}

/** The blob as Azurite stores it, hashed, and the bytes its page ranges hold. */
async function readBack(name: string): Promise<{ sha: string; pageBytes: number; size: number }> {
  const pb = azurite.service.getContainerClient('vhds').getPageBlobClient(name);
  const props = await pb.getProperties();
  const ranges = await pb.getPageRanges(0, props.contentLength);
  const pageBytes = (ranges.pageRange ?? []).reduce((n, r) => n + (r.count ?? 0), 0);
  const dl = await pb.download();
  return { sha: await sha256Of(dl.readableStreamBody!), pageBytes, size: props.contentLength ?? 0 };
}

test('a fixed VHD becomes a page blob of its non-zero pages and a managed image; a second push sends nothing; DELETE removes both', async () => {
  assert.deepEqual(checkAzureProvider(provider(), credentials()), []);
  const ctx = await makePushContext(root, { target: 'azure', provider: provider(), credentials: credentials(), targetImage: target('ti-a') });
  const percents: number[] = [];
  ctx.progress = (p: number) => { percents.push(p); };
  const result = await azureProvider.push(ctx);
  const id = `/subscriptions/${SUB}/resourceGroups/images-rg/providers/Microsoft.Compute/images/imagefactory-ti-a`;
  assert.equal(result.identifierOnProvider, id);
  assert.equal(result.providerAccountIdentifier, SUB);
  const image = arm.resources.get(id.toLowerCase()) as { properties: { provisioningState: string; storageProfile: { osDisk: { blobUri: string; osType: string; osState: string } } } };
  assert.equal(image.properties.provisioningState, 'Succeeded');
  assert.deepEqual(image.properties.storageProfile.osDisk, { osType: 'Linux', osState: 'Generalized', blobUri: `${azurite.blobEndpoint}/vhds/${blobNameFor('ti-a')}`, caching: 'ReadWrite', storageAccountType: 'Standard_LRS' });
  assert.ok(arm.requests.some((r) => r.startsWith('GET /subscriptions/') && r.includes('/operations/')), 'the SDK polled the async operation');

  const stored = await readBack(blobNameFor('ti-a'));
  assert.equal(stored.sha, await sha256Of(createReadStream(vhd)), 'the page blob is byte-identical to the VHD');
  const props = result.properties as Record<string, number>;
  assert.ok(props.bytes_sent / allocated <= 1.05, `sent ${props.bytes_sent} bytes for ${allocated} allocated`);
  assert.ok(stored.pageBytes / allocated <= 1.05, `Azurite holds ${stored.pageBytes} bytes of pages for ${allocated} allocated`);
  assert.ok(stored.pageBytes < stored.size / 4, 'the zero pages of the disk were not written');
  assert.equal(percents.at(-1), 100);
  assert.ok(percents.filter((p) => p > 3 && p < 85).length >= 3, `progress from bytes sent: ${percents.join(',')}`);

  // The same target image pushed again (a retried push): the pages are all there, nothing is sent.
  const again = await azureProvider.push(await makePushContext(root, { target: 'azure', provider: provider(), credentials: credentials(), targetImage: target('ti-a') }));
  assert.equal(again.identifierOnProvider, id);
  assert.equal((again.properties as Record<string, number>).bytes_sent, 0);
  assert.equal((again.properties as Record<string, number>).bytes_reused, props.bytes_sent);

  const del = await makeDeleteContext(root, { target: 'azure', provider: provider(), credentials: credentials(), identifierOnProvider: id });
  await azureProvider.delete(del);
  assert.equal(arm.resources.has(id.toLowerCase()), false);
  assert.equal(await azurite.service.getContainerClient('vhds').getBlobClient(blobNameFor('ti-a')).exists(), false);
  // Deleting again: ARM has no such image any more, which counts as deleted.
  await azureProvider.delete(await makeDeleteContext(root, { target: 'azure', provider: provider(), credentials: credentials(), identifierOnProvider: id }));
});

test('an interrupted upload is resumed: pages already in the blob are not sent again; a blob of another size is replaced', async () => {
  const name = blobNameFor('ti-r');
  const pb = azurite.service.getContainerClient('vhds').getPageBlobClient(name);
  await azurite.service.getContainerClient('vhds').createIfNotExists();
  await pb.create((await stat(vhd)).size);
  // An earlier attempt wrote every other run before it stopped.
  let half = 0;
  let i = 0;
  for await (const run of pageRuns(vhd, await dataExtents(createExec({}), vhd))) {
    if (i++ % 2 === 0) { await pb.uploadPages(run.data, run.offset, run.data.length); half += run.data.length; }
  }
  const ctx = await makePushContext(root, { target: 'azure', provider: provider({ image_name: 'resumed' }), credentials: credentials(), targetImage: target('ti-r') });
  const result = await azureProvider.push(ctx);
  const props = result.properties as Record<string, number>;
  assert.equal(props.bytes_reused, half);
  assert.ok(props.bytes_sent > 0 && props.bytes_sent + half <= allocated * 1.05);
  assert.ok(ctx.lines.some((l) => /Resuming page blob/.test(l)));
  assert.equal((await readBack(name)).sha, await sha256Of(createReadStream(vhd)));

  // A blob of the wrong size under the name: replaced, everything sent.
  const other = azurite.service.getContainerClient('vhds').getPageBlobClient(blobNameFor('ti-s'));
  await other.create(1024 * 1024);
  await other.uploadPages(Buffer.alloc(512, 7), 0, 512);
  const replaced = await azureProvider.push(await makePushContext(root, { target: 'azure', provider: provider({ image_name: 'replaced' }), credentials: credentials(), targetImage: target('ti-s') }));
  assert.equal((replaced.properties as Record<string, number>).bytes_reused, 0);
  assert.equal((await readBack(blobNameFor('ti-s'))).sha, await sha256Of(createReadStream(vhd)));
});

test('bytes on the wire: only the allocated data crosses; Put Page calls refused with 503 ServerBusy are retried', async () => {
  const proxy = await startCountingProxy(new URL(azurite.blobEndpoint).origin, { failEvery: 4 });
  try {
    const endpoint = `${proxy.origin}/${AZURITE_ACCOUNT}`;
    const tokens = arm.tokensIssued;
    const ctx = await makePushContext(root, { target: 'azure', provider: provider({ blob_endpoint: endpoint, image_name: 'via-proxy', concurrency: 3 }), credentials: credentials(), targetImage: target('ti-p') });
    const result = await azureProvider.push(ctx);
    assert.equal(arm.tokensIssued - tokens, 1, 'one token serves the up-front check and every ARM call');
    assert.ok(proxy.refused >= 1, 'some Put Page calls were refused');
    const props = result.properties as Record<string, number>;
    assert.equal(proxy.putPageBytes, props.bytes_sent, 'the bytes counted on the wire are the bytes the push reports');
    assert.ok(proxy.putPageBytes / allocated <= 1.05, `${proxy.putPageBytes} bytes on the wire for ${allocated} allocated`);
    assert.equal((await readBack(blobNameFor('ti-p'))).sha, await sha256Of(createReadStream(vhd)));
    assert.equal((arm.resources.get(result.identifierOnProvider.toLowerCase()) as { properties: { storageProfile: { osDisk: { blobUri: string } } } })
      .properties.storageProfile.osDisk.blobUri, `${endpoint}/vhds/${blobNameFor('ti-p')}`);
  } finally {
    await proxy.stop();
  }
});

test('a cancelled push stops uploading and ends BUILD_CANCELLED', async () => {
  const ac = new AbortController();
  const ctx = await makePushContext(root, { target: 'azure', provider: provider({ image_name: 'cancelled', concurrency: 1 }), credentials: credentials(), targetImage: target('ti-c') });
  ctx.signal = ac.signal;
  ctx.progress = (pct: number) => { if (pct > 10) ac.abort(new Error('cancelled by the test')); };
  const err = await azureProvider.push(ctx).then(() => null, (e: unknown) => e);
  assert.ok(isAppError(err) && err.code === 'BUILD_CANCELLED', String(err));
  assert.equal(arm.resources.has(`/subscriptions/${SUB}/resourceGroups/images-rg/providers/Microsoft.Compute/images/cancelled`.toLowerCase()), false);
});

test('a gallery image version (parameters) from the page blob; DELETE removes the version and the blob', async () => {
  const ctx = await makePushContext(root, {
    target: 'azure', provider: provider({ hyper_v_generation: 'V1' }), credentials: credentials(), targetImage: target('ti-g'),
    parameters: { gallery: 'factory_gallery', gallery_image: 'debian-12', gallery_image_version: '1.0.3' },
  });
  const result = await azureProvider.push(ctx);
  const id = `/subscriptions/${SUB}/resourceGroups/images-rg/providers/Microsoft.Compute/galleries/factory_gallery/images/debian-12/versions/1.0.3`;
  assert.equal(result.identifierOnProvider, id);
  const version = arm.resources.get(id.toLowerCase()) as { properties: { provisioningState: string; storageProfile: { osDiskImage: { source: { uri: string; storageAccountId: string } } } } };
  assert.equal(version.properties.provisioningState, 'Succeeded');
  assert.deepEqual(version.properties.storageProfile.osDiskImage.source, {
    uri: `${azurite.blobEndpoint}/vhds/${blobNameFor('ti-g')}`,
    storageAccountId: `/subscriptions/${SUB}/resourceGroups/images-rg/providers/Microsoft.Storage/storageAccounts/${AZURITE_ACCOUNT}`,
  });
  await azureProvider.delete(await makeDeleteContext(root, { target: 'azure', provider: provider(), credentials: credentials(), identifierOnProvider: id }));
  assert.equal(arm.resources.has(id.toLowerCase()), false);
  assert.equal(await azurite.service.getContainerClient('vhds').getBlobClient(blobNameFor('ti-g')).exists(), false);

  // A gallery image definition that does not exist: ARM's 404 comes through.
  const missing = await makePushContext(root, {
    target: 'azure', provider: provider(), credentials: credentials(), targetImage: target('ti-g'),
    parameters: { gallery: 'factory_gallery', gallery_image: 'no-such-def', gallery_image_version: '1.0.0' },
  });
  const err = await azureProvider.push(missing).then(() => null, (e: unknown) => e);
  assert.ok(isAppError(err) && err.code === 'PROVIDER_FAILED', String(err));
  assert.match(err.message, /Azure Resource Manager.*ResourceNotFound|Azure Resource Manager.*no-such-def.*was not found/);
});

test('a wrong client secret fails with Entra ID\'s AADSTS message before any byte is sent, never quoting the secret', async () => {
  const wrong = 'Wrong~Secret.value_12345';
  const ctx = await makePushContext(root, { target: 'azure', provider: provider(), credentials: credentials(wrong), targetImage: target('ti-w') });
  const err = await azureProvider.push(ctx).then(() => null, (e: unknown) => e);
  assert.ok(isAppError(err) && err.code === 'PROVIDER_FAILED', String(err));
  assert.match(err.message, /^Azure AD.*AADSTS7000215: Invalid client secret provided/);
  assert.ok(!err.message.includes(wrong) && ctx.lines.every((l) => !l.includes(wrong)));
  assert.equal(await azurite.service.getContainerClient('vhds').getBlobClient(blobNameFor('ti-w')).exists(), false);

  // A wrong storage key: Azurite's 403 comes through, the key is not in it.
  const badKey = Buffer.alloc(64, 9).toString('base64');
  const k = await makePushContext(root, { target: 'azure', provider: provider(), credentials: { ...credentials(), storage_account_key: badKey }, targetImage: target('ti-k') });
  const kerr = await azureProvider.push(k).then(() => null, (e: unknown) => e);
  assert.ok(isAppError(kerr) && kerr.code === 'PROVIDER_FAILED', String(kerr));
  assert.match(kerr.message, /^Azure Storage \(HTTP 403\): .*(AuthorizationFailure|AuthenticationFailed|Server failed to authenticate)/);
  assert.ok(!kerr.message.includes(badKey));
});

test('the ARM server fails the SDK as Azure does: a source blob that does not exist, an api-version it does not serve', async () => {
  const p = readAzureProvider(provider()).provider!;
  const c = readAzureCredentials(credentials()).credentials!;
  const client = computeClient(p, c);
  const blobUri = `${azurite.blobEndpoint}/vhds/never-uploaded.vhd`;
  await assert.rejects(
    client.images.createOrUpdate('images-rg', 'from-nothing', {
      location: 'westeurope', storageProfile: { osDisk: { osType: 'Linux', osState: 'Generalized', blobUri } },
    }).pollUntilDone(),
    /The long-running operation has failed. InvalidParameter. The source blob .*never-uploaded.vhd was not found/,
  );
  assert.equal(arm.resources.has(`/subscriptions/${SUB}/resourceGroups/images-rg/providers/Microsoft.Compute/images/from-nothing`.toLowerCase()), false);
  await assert.rejects(client.images.get('other-rg', 'x'), (e: Error & { statusCode?: number; code?: string }) => e.statusCode === 404 && /Resource group 'other-rg' could not be found/.test(e.message));
  // Straight HTTP: no token → 401; an api-version ARM does not serve → 400 with ARM's error body.
  const token = (await armCredential(p, c).getToken(`${arm.url}/.default`))!.token;
  const path = `/subscriptions/${SUB}/resourceGroups/images-rg/providers/Microsoft.Compute/images/x`;
  assert.equal((await armGet(`${path}?api-version=2026-03-01`)).status, 401);
  const old = await armGet(`${path}?api-version=2015-06-15`, token);
  assert.equal(old.status, 400);
  assert.equal((JSON.parse(old.body) as { error: { code: string } }).error.code, 'NoRegisteredProviderFound');
});

test('provider and credential problems name the field and never the secret', () => {
  const problems = checkAzureProvider({ type: 'azure', subscription_id: 'nope', resource_group: 'rg', location: 'West Europe', storage_account: 'Bad_Account', arm_endpoint: 'http://arm.example.com' },
    { tenant_id: TENANT, client_id: 'not-a-guid', client_secret: 'S3cret-value-x', storage_account_key: 'S3cret-value-x!' });
  const text = problems.join('\n');
  for (const field of ['subscription_id', 'location', 'storage_account', 'arm_endpoint', 'client_id', 'storage_account_key']) assert.match(text, new RegExp(field));
  assert.ok(!text.includes('S3cret-value-x'));
  assert.match(checkAzureProvider('azure-westeurope', credentials()).join(), /JSON object or an XML element/);
  assert.match(checkAzureProvider(provider(), { tenant_id: TENANT, client_id: CLIENT, client_secret: 'x' }).join(), /storage_account_key or storage_sas/);
  assert.match(readAzureProvider(provider(), { gallery: 'g' }).problems.join(), /needs all of gallery, gallery_image and gallery_image_version/);
  // The original's XML forms.
  const xml = `<provider type="azure" subscription_id="${SUB}" resource_group="rg" location="westeurope" storage_account="acct1"/>`;
  const xmlCreds = `<provider_credentials><azure_credentials><tenant_id>${TENANT}</tenant_id><client_id>${CLIENT}</client_id><client_secret>s</client_secret><storage_sas>sv=2024-11-04&amp;sr=c&amp;sp=rcwd&amp;sig=abc%3D</storage_sas></azure_credentials></provider_credentials>`;
  assert.deepEqual(checkAzureProvider(xml, xmlCreds), []);
  assert.equal(readAzureProvider(xml).provider!.blobEndpoint, 'https://acct1.blob.core.windows.net');
});
