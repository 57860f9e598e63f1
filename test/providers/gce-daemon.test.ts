import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinPlugins } from '../../src/main/builtin-plugins.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { removeDir, startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';
import { freePort } from './helpers/free-port.js';
import { makeServiceAccount, startGcpStandIn, type GcpStandIn, type ServiceAccountKey } from './helpers/gcp-stand-in.js';

/**
 * Through the REST API with the daemon's real composition and built-in plugins: a disk imported as
 * a base image, the real gce target plugin builds its tar.gz, POST provider_images pushes it with
 * the GCE provider (real SDKs, the documented-API stand-in), DELETE removes it. Every credential
 * value that authenticates carries a secret marker, the private key included; none may appear in
 * a response, the build log or any file under the data directory.
 */
const PROJECT = 'e2e-project';
const BUCKET = 'e2e-images';
const MARK = 'SECRETMARK';
let root: string;
let gcp: GcpStandIn;
let d: TestDaemon;
let key: ServiceAccountKey;
let keyBodyLine: string;
const bodies: string[] = [];

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; text: string; json(): Promise<any> }> {
  const res = await fetch(`${d.url}${path}`, init);
  const text = await res.text();
  bodies.push(text);
  return { status: res.status, text, json: async () => JSON.parse(text) };
}
const postJson = (path: string, body: unknown) => call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await allFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gce-e2e-'));
  const port = await freePort();
  const sa = makeServiceAccount(PROJECT, `factory@${PROJECT}.iam.gserviceaccount.com`, `http://127.0.0.1:${port}/token/${MARK}-token_uri`);
  key = {
    ...sa.key,
    private_key: `${MARK}-private_key\n${sa.key.private_key}`,
    private_key_id: `${MARK}-private_key_id`, client_id: `${MARK}-client_id`,
    auth_uri: `https://accounts.google.com/o/oauth2/auth?${MARK}-auth_uri`,
    auth_provider_x509_cert_url: `https://www.googleapis.com/oauth2/v1/certs?${MARK}-provider_cert`,
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${MARK}-client_cert`,
  };
  keyBodyLine = sa.key.private_key.split('\n')[5];
  gcp = await startGcpStandIn(join(root, 'gcp'), { port, buckets: [BUCKET], serviceAccounts: [{ client_email: key.client_email, public_key: sa.publicKey, projects: [PROJECT] }] });
  d = await startTestDaemon({ plugins: builtinPlugins() });
});
after(async () => {
  await d?.stop();
  await gcp?.stop();
  if (d) await removeDir(d.dataDir);
  await rm(root, { recursive: true, force: true });
});

test('POST provider_images pushes a gce target image to Cloud Storage + Compute Engine; DELETE removes both; no secret leaks', async () => {
  const disk = await makeSyntheticDisk(await mkdtemp(join(root, 'disk-')), { sizeMiB: 32, blobMiB: 2 });
  const imported = await call('/imagefactory/base_images/import?os_name=Debian&os_version=12&arch=x86_64&name=gce-e2e', {
    method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: await readFile(disk.path),
  });
  assert.equal(imported.status, 202, imported.text);
  const base = (await imported.json()).base_image;
  assert.equal((await waitForStatus(d.url, `/imagefactory/base_images/${base.id}`, ['COMPLETE', 'FAILED'], 120_000)).status, 'COMPLETE');
  const t = (await (await postJson('/imagefactory/target_images', { target_image: { target: 'gce', base_image_id: base.id } })).json()).target_image;
  const target = await waitForStatus(d.url, `/imagefactory/target_images/${t.id}`, ['COMPLETE', 'FAILED'], 180_000);
  assert.equal(target.status, 'COMPLETE', JSON.stringify(target.status_detail));
  const body = Buffer.from(await (await fetch(`${d.url}/imagefactory/target_images/${t.id}/raw_image`)).arrayBuffer());
  assert.equal(body.subarray(0, 2).toString('hex'), '1f8b', 'the gce target image is gzip');

  const listed = await (await call('/imagefactory/targets/gce/providers')).json();
  const gce = listed.providers.find((x: { provider: { id: string } }) => x.provider.id === 'gce');
  assert.ok(gce, JSON.stringify(listed));
  assert.ok(gce.provider.credential_fields.some((f: { name: string }) => f.name === 'private_key'));

  const provider = { type: 'gce', bucket: BUCKET, family: 'debian-12-e2e', guest_os_features: 'UEFI_COMPATIBLE,GVNIC', storage_endpoint: gcp.url, compute_endpoint: gcp.url, chunk_size_kib: 512 };

  // A key without its private key is refused at POST, naming the field and quoting nothing.
  const bad = await postJson('/imagefactory/provider_images', { provider_image: { target: 'gce', target_image_id: t.id, provider, credentials: { ...key, private_key: undefined } } });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /private_key is required/);
  assert.ok(!bad.text.includes(MARK));

  const res = await postJson('/imagefactory/provider_images', {
    provider_image: { target: 'gce', target_image_id: t.id, provider, credentials: JSON.stringify(key), parameters: { gce_image_name: 'debian-e2e' } },
  });
  assert.equal(res.status, 202, res.text);
  const p = (await res.json()).provider_image;
  const done = await waitForStatus(d.url, `/imagefactory/provider_images/${p.id}`, ['COMPLETE', 'FAILED'], 120_000);
  bodies.push(JSON.stringify(done));
  assert.equal(done.status, 'COMPLETE', JSON.stringify(done.status_detail));
  assert.equal(done.identifier_on_provider, `projects/${PROJECT}/global/images/debian-e2e`);
  assert.equal(done.provider_account_identifier, key.client_email);
  assert.equal(done.percent_complete, 100);
  assert.ok((await gcp.objectBytes(BUCKET, `${t.id}.tar.gz`)).equals(body), 'the bucket holds the target image byte for byte');
  const stats = await gcp.stats();
  assert.deepEqual(stats.images, [`${PROJECT}/debian-e2e`]);
  const log = (await call(`/imagefactory/provider_images/${p.id}/log`)).text;
  assert.match(log, /Image projects\/e2e-project\/global\/images\/debian-e2e is READY/);

  const del = await call(`/imagefactory/provider_images/${p.id}`, {
    method: 'DELETE', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider_image: { target: 'gce', provider, credentials: key } }),
  });
  assert.equal(del.status, 204, del.text);
  await waitForStatus(d.url, `/imagefactory/provider_images/${p.id}`, ['HTTP 404'], 60_000);
  const after = await gcp.stats();
  assert.deepEqual([after.images, after.objects], [[], []], 'the image and its archive object are gone');

  // No marker (nor a line of the private key) anywhere: responses, the log, the data directory.
  for (const text of bodies) assert.ok(!text.includes(MARK) && !text.includes(keyBodyLine), `a response leaked a secret: ${text.slice(0, 200)}`);
  for (const file of await allFiles(d.dataDir)) {
    const content = await readFile(file);
    assert.ok(!content.includes(MARK) && !content.includes(keyBodyLine), `${file} holds a secret`);
  }
});
