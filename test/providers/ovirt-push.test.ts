import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { isAppError } from '../../src/domain/errors.js';
import { runTool } from '../../src/platform/exec.js';
import { ovirtProvider } from '../../src/plugins/providers/ovirt/ovirt-plugin.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { startOvirt, type OvirtServer } from './helpers/ovirt-server.js';
import { makeDeleteContext, makePushContext } from './helpers/push-context.js';

/**
 * The oVirt provider against the engine + imageio stand-in (test/providers/helpers/ovirt-server.ts):
 * disks really uploaded through image transfers, stored bytes compared with the image, sparse
 * uploads counted, failures reported with the engine's words and never a credential.
 */
const USER = 'admin@internal';
const PASSWORD = 'ovirt-Pass-9931';
let root: string;
let ovirt: OvirtServer;
let raw: string;
let qcow2: string;
let caFile: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovirt-push-'));
  raw = (await makeSyntheticDisk(await mkdtemp(join(root, 'disk-')), { sizeMiB: 64 })).path;
  qcow2 = join(root, 'disk.qcow2');
  await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
  ovirt = await startOvirt(root, { username: USER, password: PASSWORD });
  caFile = join(root, 'ca.pem');
  await writeFile(caFile, ovirt.caPem);
});
after(async () => {
  await ovirt?.stop();
  await rm(root, { recursive: true, force: true });
});

const xmlCredentials = `<provider_credentials><rhevm_credentials><username>${USER}</username><password>${PASSWORD}</password></rhevm_credentials></provider_credentials>`;
const image = (path: string, format: string, id: string) => ({ id, bodyPath: path, format, template: null, properties: {} });

test('qcow2 push (XML provider and rhevm_credentials): a cow disk holding exactly the qcow2 file; DELETE removes it', async () => {
  const provider = `<provider api-url="${ovirt.apiUrl}" storage_domain="data" ca_file="${caFile}"/>`;
  assert.deepEqual(ovirtProvider.check('rhevm', provider, xmlCredentials), []);
  const before = { ...ovirt.stats };
  const ctx = await makePushContext(root, { target: 'rhevm', provider, credentials: xmlCredentials, targetImage: image(qcow2, 'qcow2', 'ti-q') });
  const result = await ovirtProvider.push(ctx);
  const disk = ovirt.disks.get(result.identifierOnProvider)!;
  const size = (await stat(qcow2)).size;
  assert.deepEqual([disk.status, disk.format, disk.name, disk.initial_size, disk.provisioned_size], ['ok', 'cow', 'imagefactory-ti-q', size, 64 * 1024 * 1024]);
  assert.ok((await ovirt.diskBytes(disk.id)).equals(await readFile(qcow2)), 'the disk holds the qcow2 file byte for byte');
  assert.equal(result.providerAccountIdentifier, ovirt.userId, 'the account is the engine user id, not the user name');
  assert.ok(ovirt.stats.putBytes - before.putBytes <= size);
  assert.equal(ovirt.stats.flushes - before.flushes, 1);
  assert.ok(!ctx.lines.join('\n').includes(PASSWORD));

  await ovirtProvider.delete(await makeDeleteContext(root, { target: 'rhevm', provider, credentials: xmlCredentials, identifierOnProvider: disk.id }));
  assert.equal(ovirt.disks.has(disk.id), false);
  // Deleting a disk the engine no longer has succeeds.
  await ovirtProvider.delete(await makeDeleteContext(root, { target: 'rhevm', provider, credentials: xmlCredentials, identifierOnProvider: disk.id }));
});

test('sparse raw push (JSON, ca_cert) falls back to proxy_url, sends only data blocks and zeroes the rest', async () => {
  ovirt.setTransferUrlBroken(true);
  try {
    const provider = { 'api-url': ovirt.apiUrl.replace('/ovirt-engine/api', ''), storage_domain: 'data', ca_cert: ovirt.caPem, disk_name: 'debian-raw' };
    const before = { ...ovirt.stats };
    const ctx = await makePushContext(root, { target: 'rhevm', provider, credentials: { username: USER, password: PASSWORD }, targetImage: image(raw, 'raw', 'ti-r') });
    const result = await ovirtProvider.push(ctx);
    const disk = ovirt.disks.get(result.identifierOnProvider)!;
    assert.deepEqual([disk.status, disk.format, disk.name, disk.provisioned_size], ['ok', 'raw', 'debian-raw', 64 * 1024 * 1024]);
    assert.ok((await ovirt.diskBytes(disk.id)).equals(await readFile(raw)));
    const s = await stat(raw);
    const sent = ovirt.stats.putBytes - before.putBytes;
    const zeroed = ovirt.stats.zeroBytes - before.zeroBytes;
    assert.equal(sent + zeroed, s.size, 'every byte is either sent or zeroed');
    assert.ok(sent <= s.blocks * 512 * 1.05, `sent ${sent} bytes for ${s.blocks * 512} allocated`);
    assert.ok(sent < s.size / 2, `a sparse image is not sent whole (${sent} of ${s.size})`);
    assert.equal(result.properties?.bytes_sent, sent);
    assert.match(ctx.lines.join('\n'), /unreachable .*trying the next URL/);
  } finally {
    ovirt.setTransferUrlBroken(false);
  }
});

test('failures carry the engine\'s words, never a credential, and leave no disk behind', async () => {
  const provider = { 'api-url': ovirt.apiUrl, storage_domain: 'data', ca_cert: ovirt.caPem };
  const disks = ovirt.disks.size;
  const wrong = 'Wrong-Secret-4471';
  await assert.rejects(ovirtProvider.push(await makePushContext(root, { target: 'rhevm', provider, credentials: { username: 'someone@internal', password: wrong }, targetImage: image(raw, 'raw', 'ti-x') })),
    (e: unknown) => isAppError(e) && e.code === 'PROVIDER_FAILED' && /^oVirt \(HTTP 400\): SSO login refused: access_denied: Cannot authenticate user 'REDACTED'/.test(e.message) && !e.message.includes(wrong) && !e.message.includes('someone'));
  await assert.rejects(ovirtProvider.push(await makePushContext(root, { target: 'rhevm', provider: { ...provider, storage_domain: 'nfs-export' }, credentials: { username: USER, password: PASSWORD }, targetImage: image(raw, 'raw', 'ti-x') })),
    (e: unknown) => isAppError(e) && /HTTP 404\): Operation Failed: Entity not found: Storage domain: name=nfs-export/.test(e.message));
  await assert.rejects(ovirtProvider.push(await makePushContext(root, { target: 'rhevm', provider: { 'api-url': ovirt.apiUrl, storage_domain: 'data' }, credentials: { username: USER, password: PASSWORD }, targetImage: image(raw, 'raw', 'ti-x') })),
    (e: unknown) => isAppError(e) && /Cannot reach the oVirt engine.*self-signed certificate/.test(e.message), 'the engine certificate is verified unless a CA is given');
  await assert.rejects(ovirtProvider.push(await makePushContext(root, { target: 'rhevm', provider, credentials: { username: USER, password: PASSWORD }, targetImage: image(raw, 'vmdk', 'ti-x') })),
    /uploaded from qcow2 or raw/);
  assert.equal(ovirt.disks.size, disks);
});

test('a refused write cancels the transfer; an image the engine refuses at finalize fails; neither leaves a disk', async () => {
  const provider = { 'api-url': ovirt.apiUrl, storage_domain: 'data', ca_cert: ovirt.caPem };
  const credentials = { username: USER, password: PASSWORD };
  const disks = ovirt.disks.size;
  ovirt.inject({ putStatus: 403 });
  try {
    const ctx = await makePushContext(root, { target: 'rhevm', provider, credentials, targetImage: image(qcow2, 'qcow2', 'ti-f') });
    await assert.rejects(ovirtProvider.push(ctx), (e: unknown) => isAppError(e) && /^oVirt \(HTTP 403\): imageio PUT at 0: Injected failure/.test(e.message));
    assert.match(ctx.lines.join('\n'), /Cancelled image transfer/);
    assert.match(ctx.lines.join('\n'), /Deleted the half-made disk/);
  } finally {
    ovirt.inject({ putStatus: null });
  }
  ovirt.inject({ failNextFinalize: true });
  await assert.rejects(ovirtProvider.push(await makePushContext(root, { target: 'rhevm', provider, credentials, targetImage: image(qcow2, 'qcow2', 'ti-f') })),
    (e: unknown) => isAppError(e) && /ended in phase finished_failure \(the engine refused the uploaded image\)/.test(e.message));
  assert.equal(ovirt.disks.size, disks);
});

test('an SSO token expiring mid-upload is renewed; a cancel mid-upload cancels the transfer and removes the disk', async () => {
  const provider = { 'api-url': ovirt.apiUrl, storage_domain: 'data', ca_cert: ovirt.caPem };
  const credentials = { username: USER, password: PASSWORD };
  const disks = ovirt.disks.size;
  const uploading = async () => { const start = ovirt.stats.puts; while (ovirt.stats.puts === start) await new Promise((r) => setTimeout(r, 10)); };
  ovirt.inject({ putDelayMs: 30 });
  try {
    const push = ovirtProvider.push(await makePushContext(root, { target: 'rhevm', provider, credentials, targetImage: image(raw, 'raw', 'ti-e') }));
    await uploading();
    ovirt.expireTokens();
    const result = await push;
    assert.equal(ovirt.disks.get(result.identifierOnProvider)?.status, 'ok');
    await ovirtProvider.delete(await makeDeleteContext(root, { target: 'rhevm', provider, credentials, identifierOnProvider: result.identifierOnProvider }));

    const ac = new AbortController();
    const ctx = { ...(await makePushContext(root, { target: 'rhevm', provider, credentials, targetImage: image(raw, 'raw', 'ti-c') })), signal: ac.signal };
    const cancelled = ovirtProvider.push(ctx);
    await uploading();
    ac.abort();
    await assert.rejects(cancelled, (e: unknown) => isAppError(e) && e.code === 'BUILD_CANCELLED');
    assert.match(ctx.lines.join('\n'), /Cancelled image transfer/);
    assert.equal(ovirt.disks.size, disks, 'the half-made disk is removed after a cancel');
  } finally {
    ovirt.inject({ putDelayMs: 0 });
  }
});

test('template: made from the uploaded disk through a helper VM; only the template (with its disk copy) remains, and DELETE removes it', async () => {
  const provider = { 'api-url': ovirt.apiUrl, storage_domain: 'data', ca_cert: ovirt.caPem, template: 'debian12-golden', cluster: 'Default', memory: 2048 };
  const credentials = { username: USER, password: PASSWORD };
  const disks = ovirt.disks.size;
  const result = await ovirtProvider.push(await makePushContext(root, { target: 'rhevm', provider, credentials, targetImage: image(qcow2, 'qcow2', 'ti-t') }));
  const template = ovirt.templates.get(result.identifierOnProvider)!;
  assert.deepEqual([template.name, template.status, template.diskIds.length], ['debian12-golden', 'ok', 1]);
  assert.ok((await ovirt.diskBytes(template.diskIds[0])).equals(await readFile(qcow2)), 'the template disk holds the image');
  assert.equal(ovirt.vms.size, 0, 'the helper VM is gone');
  assert.equal(ovirt.disks.size, disks + 1, 'only the template\'s disk remains');
  assert.equal(result.properties?.template_name, 'debian12-golden');

  await ovirtProvider.delete(await makeDeleteContext(root, { target: 'rhevm', provider, credentials, identifierOnProvider: template.id }));
  assert.equal(ovirt.templates.size, 0);
  assert.equal(ovirt.disks.size, disks);

  await assert.rejects(ovirtProvider.push(await makePushContext(root, { target: 'rhevm', provider: { ...provider, cluster: 'NoSuchCluster' }, credentials, targetImage: image(qcow2, 'qcow2', 'ti-t') })),
    (e: unknown) => isAppError(e) && /HTTP 404\): Operation Failed: Entity not found: Cluster: name=NoSuchCluster/.test(e.message));
  assert.deepEqual([ovirt.vms.size, ovirt.templates.size, ovirt.disks.size], [0, 0, disks], 'a failed template leaves nothing behind');
});

test('the stand-in refuses wrong usage as the documented APIs do', async () => {
  const dispatcher = new Agent({ connect: { ca: ovirt.caPem } });
  const call = async (url: string, init: Parameters<typeof request>[1] = {}) => {
    const res = await request(url, { ...init, dispatcher });
    return { status: res.statusCode, text: await res.body.text(), headers: res.headers };
  };
  assert.equal((await call(`${ovirt.apiUrl}/disks/x`, { headers: { authorization: 'Bearer nope' } })).status, 401);
  const token = JSON.parse((await call(ovirt.apiUrl.replace('/api', '/sso/oauth/token'), {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', scope: 'ovirt-app-api', username: USER, password: PASSWORD }).toString(),
  })).text).access_token as string;
  const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' };
  const disk = JSON.parse((await call(`${ovirt.apiUrl}/disks`, { method: 'POST', headers: h, body: JSON.stringify({ name: 'probe', format: 'raw', provisioned_size: 1 << 20, storage_domains: { storage_domain: [{ name: 'data' }] } }) })).text);
  assert.equal(disk.status, 'locked');
  assert.equal(JSON.parse((await call(`${ovirt.apiUrl}/imagetransfers`, { method: 'POST', headers: h, body: JSON.stringify({ disk: { id: disk.id }, direction: 'upload' }) })).text).reason, 'Operation Failed', 'no transfer on a locked disk');
  while (JSON.parse((await call(`${ovirt.apiUrl}/disks/${disk.id}`, { headers: h })).text).status !== 'ok');
  const t = JSON.parse((await call(`${ovirt.apiUrl}/imagetransfers`, { method: 'POST', headers: h, body: JSON.stringify({ disk: { id: disk.id }, direction: 'upload' }) })).text);
  assert.equal(t.phase, 'initializing');
  assert.equal(t.transfer_url, undefined, 'no ticket before transferring');
  let tr = t;
  while (tr.phase !== 'transferring') tr = JSON.parse((await call(`${ovirt.apiUrl}/imagetransfers/${t.id}`, { headers: h })).text);
  assert.equal((await call(tr.transfer_url.replace(/[^/]+$/, 'not-the-ticket'), { method: 'OPTIONS' })).status, 403);
  const beyond = await call(tr.transfer_url, { method: 'PUT', headers: { 'content-range': `bytes ${(1 << 20) - 10}-${(1 << 20) + 9}/*` }, body: Buffer.alloc(20) });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers['content-range'], `bytes */${1 << 20}`);
  assert.equal((await call(tr.transfer_url, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"op":"zero","offset":0}' })).text, "Missing required value for 'size'");
  assert.equal((await call(tr.transfer_url, { method: 'PUT', headers: { 'content-range': 'bytes 0-3/*' }, body: Buffer.from('abcd') })).status, 200);
  assert.equal((await call(tr.transfer_url, { headers: { range: 'bytes=0-3' } })).text, 'abcd');
  await call(`${ovirt.apiUrl}/imagetransfers/${t.id}/finalize`, { method: 'POST', headers: h, body: '{}' });
  assert.equal((await call(tr.transfer_url, { method: 'PUT', body: Buffer.from('late') })).status, 403, 'the ticket is gone after finalize');
  await dispatcher.close();
});

test('provider and credential documents: problems name the field, never a secret', () => {
  assert.match(ovirtProvider.check('rhevm', 'engine.example.com', xmlCredentials).join(), /JSON object or an XML element/);
  assert.match(ovirtProvider.check('rhevm', { storage_domain: 'data' }, xmlCredentials).join(), /api-url is required/);
  assert.match(ovirtProvider.check('rhevm', { 'api-url': 'https://u:p@engine/ovirt-engine/api', storage_domain: 'data' }, xmlCredentials).join(), /without credentials/);
  assert.match(ovirtProvider.check('rhevm', { 'api-url': 'https://engine/ovirt-engine/api' }, xmlCredentials).join(), /storage_domain is required/);
  assert.match(ovirtProvider.check('rhevm', { 'api-url': 'https://engine', storage_domain: 'data', ca_cert: 'x' }, xmlCredentials).join(), /ca_cert must be PEM/);
  const p = ovirtProvider.check('rhevm', { 'api-url': 'https://engine', storage_domain: 'data' }, '<provider_credentials><rhevm_credentials><username>SECRET-user</username></rhevm_credentials></provider_credentials>');
  assert.match(p.join(), /credentials need password/);
  assert.ok(!p.join().includes('SECRET'));
});
