import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../../src/platform/exec.js';
import { isAppError } from '../../src/domain/errors.js';
import type { Tdl } from '../../src/domain/template/tdl.js';
import { gceProvider } from '../../src/plugins/providers/gce/gce-plugin.js';
import { checkGceProvider } from '../../src/plugins/providers/gce/gce-push.js';
import { AccessTokens } from '../../src/plugins/providers/gce/access-tokens.js';
import { computeClients } from '../../src/plugins/providers/gce/gcp-clients.js';
import { insertImage } from '../../src/plugins/providers/gce/gce-images.js';
import { readServiceAccount } from '../../src/plugins/providers/gce/service-account.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { makeDeleteContext, makePushContext } from './helpers/push-context.js';
import { makeServiceAccount, startGcpStandIn, type GcpStandIn, type ServiceAccountKey } from './helpers/gcp-stand-in.js';

/**
 * The GCE provider driven through the real @google-cloud/storage 7.22 and @google-cloud/compute
 * 6.15 SDKs against test/providers/helpers/gcp-server.ts (the documented OAuth JWT-bearer grant, GCS
 * resumable uploads and Compute images/operations), started once for this file.
 */
const PROJECT = 'factory-proj';
const OTHER_PROJECT = 'someone-elses';
const BUCKET = 'factory-images';
let root: string;
let gcp: GcpStandIn;
let key: ServiceAccountKey;
let strangerKey: ServiceAccountKey;
let archive: string;
let notDiskRaw: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gce-push-'));
  // The token endpoint's URL must be known before the stand-in starts: reserve the port first.
  const { freePort } = await import('./helpers/free-port.js');
  const port = await freePort();
  const tokenUri = `http://127.0.0.1:${port}/token`;
  const sa = makeServiceAccount(PROJECT, `pusher@${PROJECT}.iam.gserviceaccount.com`, tokenUri);
  const stranger = makeServiceAccount(PROJECT, `stranger@${PROJECT}.iam.gserviceaccount.com`, tokenUri);
  key = sa.key;
  strangerKey = stranger.key;
  gcp = await startGcpStandIn(join(root, 'gcp'), {
    port, buckets: [BUCKET],
    serviceAccounts: [{ client_email: key.client_email, public_key: sa.publicKey, projects: [PROJECT] }, { client_email: strangerKey.client_email, public_key: stranger.publicKey, projects: [] }],
  });
  // A real GCE archive: a sparse disk.raw in an oldgnu tar, gzipped (as the gce target makes it).
  const disk = await makeSyntheticDisk(await mkdtemp(join(root, 'disk-')), { sizeMiB: 32, blobMiB: 2 });
  archive = join(root, 'image.tar.gz');
  await runTool(['tar', '--format=oldgnu', '-S', '--owner=0', '--group=0', '--numeric-owner', '-czf', archive, '-C', join(disk.path, '..'), 'disk.raw']);
  await runTool(['cp', disk.path, join(root, 'other.raw')]);
  notDiskRaw = join(root, 'not-disk-raw.tar.gz');
  await runTool(['tar', '-czf', notDiskRaw, '-C', root, 'other.raw']);
});
after(async () => {
  await gcp?.stop();
  await rm(root, { recursive: true, force: true });
});

const template = { name: 'Debian 12 for GCE', os: { arch: 'x86_64' } } as unknown as Tdl;
const endpoints = () => ({ storage_endpoint: gcp.url, compute_endpoint: gcp.url });

/** An image as Compute returns it, read with a token of our own. */
async function computeGet(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const token = await new AccessTokens(readServiceAccount(key).account!).get();
  const r = await fetch(`${gcp.url}/compute/v1/${path}`, { headers: { authorization: `Bearer ${token.token}` } });
  return { status: r.status, body: await r.json() as Record<string, unknown> };
}

test('push: resumable chunked upload of the archive, images.insert from it, then DELETE removes image and object', async () => {
  await gcp.resetStats();
  const provider = JSON.stringify({
    type: 'gce', bucket: BUCKET, family: 'debian-12-factory', description: 'from the factory', labels: { team: 'images', env: 'test' },
    guest_os_features: ['UEFI_COMPATIBLE', 'VIRTIO_SCSI_MULTIQUEUE', 'GVNIC'], licenses: 'projects/debian-cloud/global/licenses/debian-12-bookworm',
    zone: 'europe-west1-b', chunk_size_kib: 256, ...endpoints(),
  });
  const progress: number[] = [];
  const ctx = await makePushContext(root, {
    target: 'gce', provider, credentials: JSON.stringify(key),
    targetImage: { id: '07e0c6a2-5d1f-4c3e-9a8b-0f1e2d3c4b5a', bodyPath: archive, format: 'tar.gz', template, properties: {} },
  });
  ctx.progress = (p) => progress.push(p);
  const result = await gceProvider.push(ctx);
  assert.equal(result.identifierOnProvider, 'projects/factory-proj/global/images/image-07e0c6a2-5d1f-4c3e-9a8b-0f1e2d3c4b5a');
  assert.equal(result.providerAccountIdentifier, key.client_email);

  const body = await readFile(archive);
  assert.ok((await gcp.objectBytes(BUCKET, '07e0c6a2-5d1f-4c3e-9a8b-0f1e2d3c4b5a.tar.gz')).equals(body), 'GCS stored the archive byte for byte');
  const stats = await gcp.stats();
  assert.equal(stats.sessions_created, 1);
  assert.ok(stats.chunk_puts >= Math.floor(body.length / (256 * 1024)), `${stats.chunk_puts} chunk PUTs for ${body.length} bytes`);
  assert.equal(stats.token_grants, 1, 'one access token serves the storage and compute calls');
  assert.ok(stats.operation_polls >= 2, 'the push waited on the operation');
  assert.deepEqual(progress.filter((p, i) => i > 0 && p < progress[i - 1]), [], 'percent_complete never goes back');
  assert.equal(progress.at(-1), 100);
  assert.ok(progress.filter((p) => p > 2 && p < 86).length >= 5, 'upload progress comes from bytes sent');

  const image = await computeGet(result.identifierOnProvider);
  assert.equal(image.status, 200);
  const img = image.body;
  assert.equal(img.status, 'READY');
  assert.deepEqual(img.rawDisk, { source: `https://storage.googleapis.com/${BUCKET}/07e0c6a2-5d1f-4c3e-9a8b-0f1e2d3c4b5a.tar.gz`, containerType: 'TAR' });
  assert.deepEqual([img.family, img.description, img.architecture, img.storageLocations, img.licenses],
    ['debian-12-factory', 'from the factory', 'X86_64', ['europe-west1'], ['projects/debian-cloud/global/licenses/debian-12-bookworm']]);
  assert.deepEqual(img.guestOsFeatures, [{ type: 'UEFI_COMPATIBLE' }, { type: 'VIRTIO_SCSI_MULTIQUEUE' }, { type: 'GVNIC' }]);
  assert.deepEqual(img.labels, { team: 'images', env: 'test', 'imagefactory-target-image': '07e0c6a2-5d1f-4c3e-9a8b-0f1e2d3c4b5a' });
  assert.equal(img.archiveSizeBytes, String(body.length));
  assert.equal(img.diskSizeGb, '1', 'Compute read the 32 MiB disk.raw out of the archive');
  assert.equal(result.properties?.gce_object_md5, (await import('node:crypto')).createHash('md5').update(body).digest('base64'));

  // A retried push of the same target image (another image name): the object is reused, not sent again.
  await gcp.resetStats();
  const again = await makePushContext(root, {
    target: 'gce', provider, credentials: key, parameters: { gce_image_name: 'factory-second', gce_image_family: 'other-family' },
    targetImage: { id: '07e0c6a2-5d1f-4c3e-9a8b-0f1e2d3c4b5a', bodyPath: archive, format: 'tar.gz', template, properties: {} },
  });
  const second = await gceProvider.push(again);
  assert.equal(second.identifierOnProvider, 'projects/factory-proj/global/images/factory-second');
  assert.equal(second.properties?.gce_object_reused, true);
  const s2 = await gcp.stats();
  assert.deepEqual([s2.sessions_created, s2.bytes_received, s2.image_inserts], [0, 0, 1]);
  assert.match(again.lines.join('\n'), /already holds these \d+ bytes/);
  assert.equal((await computeGet(second.identifierOnProvider)).body.family, 'other-family');

  // DELETE: the image (after its operation) and the archive object.
  const del = await makeDeleteContext(root, { target: 'gce', provider, credentials: key, identifierOnProvider: result.identifierOnProvider });
  await gceProvider.delete(del);
  assert.equal((await computeGet(result.identifierOnProvider)).status, 404);
  const after = await gcp.stats();
  assert.ok(!after.objects.includes(`${BUCKET}/07e0c6a2-5d1f-4c3e-9a8b-0f1e2d3c4b5a.tar.gz`));
  // The second image's object is gone already; deleting it counts as done.
  await gceProvider.delete(await makeDeleteContext(root, { target: 'gce', provider, credentials: key, identifierOnProvider: second.identifierOnProvider }));
  assert.equal((await computeGet(second.identifierOnProvider)).status, 404);
  await gceProvider.delete(await makeDeleteContext(root, { target: 'gce', provider, credentials: key, identifierOnProvider: second.identifierOnProvider }));
});

test('a dropped connection mid-chunk is resumed by the SDK from the committed offset', async () => {
  await gcp.resetStats();
  await gcp.fault({ nth_put: 3, after_bytes: 300 * 1024, action: 'drop' });
  const ctx = await makePushContext(root, {
    target: 'gce', provider: { bucket: BUCKET, chunk_size_kib: 512, ...endpoints() }, credentials: key,
    targetImage: { id: 'tid-drop', bodyPath: archive, format: 'tar.gz', template, properties: {} },
  });
  const r = await gceProvider.push(ctx);
  assert.equal(r.identifierOnProvider, 'projects/factory-proj/global/images/tid-drop');
  assert.ok((await gcp.objectBytes(BUCKET, 'tid-drop.tar.gz')).equals(await readFile(archive)));
  const s = await gcp.stats();
  assert.ok(s.status_queries >= 1, 'the SDK asked the session for its committed offset');
  assert.equal(s.sessions_created, 1, 'the same session went on');

  // The default: one streamed request. A drop there is past what the SDK replays from memory; the
  // provider continues the same session from the committed offset (256 KiB of the 300 sent).
  await gcp.resetStats();
  await gcp.fault({ nth_put: 1, after_bytes: 300 * 1024, action: 'drop' });
  const streamed = await makePushContext(root, {
    target: 'gce', provider: { bucket: BUCKET, ...endpoints() }, credentials: key,
    targetImage: { id: 'tid-drop-streamed', bodyPath: archive, format: 'tar.gz', template, properties: {} },
  });
  await gceProvider.push(streamed);
  const size = (await readFile(archive)).length;
  assert.ok((await gcp.objectBytes(BUCKET, 'tid-drop-streamed.tar.gz')).equals(await readFile(archive)));
  const t = await gcp.stats();
  assert.equal(t.sessions_created, 1, 'the same session went on');
  assert.ok(t.bytes_received <= size + 300 * 1024, `${t.bytes_received} bytes received for ${size}: only the uncommitted bytes were sent again`);
  assert.match(streamed.lines.join('\n'), /bytes are already committed/);
  assert.ok(!streamed.lines.some((l) => /upload_id=(?!REDACTED)/.test(l)), 'the session URI (a capability) is never logged');
});

test('a push that fails mid-upload is continued by the next push of the same target image', async () => {
  await gcp.resetStats();
  await gcp.fault({ nth_put: 4, after_bytes: 100 * 1024, action: 403 });
  const provider = { bucket: BUCKET, chunk_size_kib: 256, ...endpoints() };
  const targetImage = { id: 'tid-resume', bodyPath: archive, format: 'tar.gz', template, properties: {} };
  const first = await makePushContext(root, { target: 'gce', provider, credentials: key, targetImage });
  await assert.rejects(gceProvider.push(first), (e: unknown) => isAppError(e) && e.code === 'PROVIDER_FAILED' && /Cloud Storage \(HTTP 403\): Access denied/.test(e.message));
  const s1 = await gcp.stats();
  assert.equal(s1.sessions_created, 1);
  const committed = 3 * 256 * 1024;

  await gcp.resetStats();
  const second = await makePushContext(root, { target: 'gce', provider, credentials: key, targetImage });
  const r = await gceProvider.push(second);
  assert.equal(r.identifierOnProvider, 'projects/factory-proj/global/images/tid-resume');
  const size = (await readFile(archive)).length;
  const s2 = await gcp.stats();
  assert.equal(s2.sessions_created, 0, 'no new session: the unfinished one was continued');
  assert.equal(s2.bytes_received, size - committed, 'only the bytes not yet committed were sent');
  assert.match(second.lines.join('\n'), new RegExp(`${committed} of ${size} bytes are already committed`));
  assert.ok((await gcp.objectBytes(BUCKET, 'tid-resume.tar.gz')).equals(await readFile(archive)));
});

test("Compute's operation errors, permission errors and a wrong key fail the push with Google's message", async () => {
  // Compute reads the archive when the operation runs: no disk.raw inside → the operation's error.
  const bad = await makePushContext(root, {
    target: 'gce', provider: { bucket: BUCKET, ...endpoints() }, credentials: key,
    targetImage: { id: 'tid-notraw', bodyPath: notDiskRaw, format: 'tar.gz', template, properties: {} },
  });
  await assert.rejects(gceProvider.push(bad), (e: unknown) => isAppError(e) && e.code === 'PROVIDER_FAILED'
    && /operation insert operation-\S+ failed \(HTTP 400\): INVALID_USAGE: .*must contain a file named disk\.raw/.test(e.message));
  assert.equal((await computeGet('projects/factory-proj/global/images/tid-notraw')).status, 404);

  // images.insert from an object that does not exist.
  const account = readServiceAccount(key).account!;
  const tokens = new AccessTokens(account);
  const { images, operations } = computeClients(tokens, gcp.url);
  await assert.rejects(insertImage({ images, operations, signal: new AbortController().signal, log: () => undefined }, PROJECT,
    { name: 'from-nothing', rawDisk: { source: `https://storage.googleapis.com/${BUCKET}/missing.tar.gz` } }),
  /RESOURCE_NOT_FOUND: The resource 'https:\/\/storage\.googleapis\.com\/factory-images\/missing\.tar\.gz' was not found/);
  await Promise.all([images.close(), operations.close()]);

  // A project the account may not use: Compute's 403 message.
  const other = await makePushContext(root, {
    target: 'gce', provider: { bucket: BUCKET, project: OTHER_PROJECT, ...endpoints() }, credentials: key,
    targetImage: { id: 'tid-perm', bodyPath: archive, format: 'tar.gz', template, properties: {} },
  });
  await assert.rejects(gceProvider.push(other), (e: unknown) => isAppError(e) && /Compute Engine: .*Required 'compute\.images\.get' permission for 'projects\/someone-elses\/global\/images\/tid-perm'/.test(e.message));

  // The right e-mail with another account's key: the token endpoint refuses the JWT's signature.
  const forged = { ...key, private_key: strangerKey.private_key };
  const wrong = await makePushContext(root, {
    target: 'gce', provider: { bucket: BUCKET, ...endpoints() }, credentials: forged,
    targetImage: { id: 'tid-forged', bodyPath: archive, format: 'tar.gz', template, properties: {} },
  });
  await assert.rejects(gceProvider.push(wrong), (e: unknown) => isAppError(e) && e.code === 'PROVIDER_FAILED'
    && /Google OAuth \(HTTP 400\) refused the service account pusher@factory-proj\.iam\.gserviceaccount\.com: invalid_grant: Invalid JWT Signature\./.test(e.message)
    && !e.message.includes(strangerKey.private_key.split('\n')[3]));

  // A missing bucket: Cloud Storage's 404.
  const nobucket = await makePushContext(root, {
    target: 'gce', provider: { bucket: 'no-such-bucket', ...endpoints() }, credentials: key,
    targetImage: { id: 'tid-nobucket', bodyPath: archive, format: 'tar.gz', template, properties: {} },
  });
  await assert.rejects(gceProvider.push(nobucket), (e: unknown) => isAppError(e) && /Cloud Storage \(HTTP 404\): The specified bucket does not exist/.test(e.message));

  // An unreachable endpoint.
  const closed = await makePushContext(root, {
    target: 'gce', provider: { bucket: BUCKET, storage_endpoint: 'http://127.0.0.1:9', compute_endpoint: gcp.url, retries: 1 }, credentials: key,
    targetImage: { id: 'tid-closed', bodyPath: archive, format: 'tar.gz', template, properties: {} },
  });
  await assert.rejects(gceProvider.push(closed), (e: unknown) => isAppError(e) && e.code === 'PROVIDER_FAILED' && /Cloud Storage/.test(e.message));
});

test('provider and credential problems name the field and never quote a secret', async () => {
  const ok = checkGceProvider({ bucket: BUCKET }, key);
  assert.deepEqual(ok, []);
  assert.deepEqual(checkGceProvider('@factory-images', JSON.stringify(key)), []);
  assert.deepEqual(checkGceProvider(`<provider bucket="${BUCKET}" project="${PROJECT}"/>`,
    `<provider_credentials><gce_credentials><client_email>${key.client_email}</client_email><private_key>${key.private_key}</private_key></gce_credentials></provider_credentials>`), []);
  const problems = (p: unknown, c: unknown) => checkGceProvider(p, c).join('; ');
  assert.match(problems({}, key), /bucket is required/);
  assert.match(problems({ bucket: 'UPPER' }, key), /bucket "UPPER"/);
  assert.match(problems({ bucket: BUCKET, image_name: 'Bad_Name' }, key), /image_name/);
  assert.match(problems({ bucket: BUCKET, guest_os_features: 'UEFI_COMPATIBLE,TURBO' }, key), /guest_os_features: unknown feature "TURBO"/);
  assert.match(problems({ bucket: BUCKET, labels: { Bad: 'x' } }, key), /labels: key "Bad"/);
  assert.match(problems({ bucket: BUCKET, zone: 'nowhere' }, key), /zone "nowhere"/);
  assert.match(problems({ bucket: BUCKET, storage_endpoint: 'ftp://x' }, key), /storage_endpoint/);
  assert.match(problems({ bucket: BUCKET, chunk_size_kib: 100 }, key), /chunk size/);
  assert.match(problems({ bucket: BUCKET, architecture: 'sparc' }, key), /architecture/);
  const secret = 'SECRET-not-a-key-1234567890';
  const broken = problems({ bucket: BUCKET }, { ...key, private_key: secret });
  assert.match(broken, /private_key is not a PEM private key/);
  assert.ok(!broken.includes(secret));
  assert.match(problems({ bucket: BUCKET }, { ...key, client_email: undefined }), /client_email is required/);
  assert.match(problems({ bucket: BUCKET }, { ...key, type: 'authorized_user' }), /type must be service_account/);
  assert.match(problems({ bucket: BUCKET }, { ...key, token_uri: 'http://tokens.example.com/token' }), /token_uri must be an https URL/);
  assert.match(problems({ bucket: BUCKET }, { ...key, project_id: undefined }), /project is required/);
  assert.match(problems({ bucket: BUCKET }, 'not json'), /neither JSON nor XML/);
  // A gce target image is a tar.gz; anything else is refused before any call.
  const wrongFormat = await makePushContext(root, { target: 'gce', provider: { bucket: BUCKET }, credentials: key, targetImage: { id: 'x', bodyPath: archive, format: 'qcow2', template: null, properties: {} } });
  await assert.rejects(gceProvider.push(wrongFormat), /Compute Engine imports a tar\.gz/);
  await writeFile(join(root, 'unused'), '');
});
