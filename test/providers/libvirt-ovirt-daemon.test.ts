import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinPlugins } from '../../src/main/builtin-plugins.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';
import { startOrReuseLibvirtd, type Libvirtd } from './helpers/libvirtd.js';
import { startOvirt, type OvirtServer } from './helpers/ovirt-server.js';

/**
 * Through the REST API of a daemon with the built-in plugins: an imported disk becomes an rhevm
 * target image (qcow2), which is pushed to the oVirt stand-in (its default provider) and to a real
 * libvirtd (type "libvirt"), read back, deleted. A secret marker sits in every credential field of
 * both providers (oVirt user name and password, a wrong password, libvirt's ssh_key) and must never
 * appear in a response, a build log or a file under the data directory.
 */
const MARK = `SECRET-MARKER-${randomBytes(4).toString('hex')}`;
const USER = `${MARK}-user@internal`;
const PASSWORD = `${MARK}-pw`;
const POOL = `imgfac-test-e2e-${process.pid}`;
let root: string;
let poolDir: string;
let ovirt: OvirtServer;
let libvirtd: Libvirtd;
let d: TestDaemon;
const bodies: string[] = [];

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; text: string; json: any }> {
  const res = await fetch(`${d.url}${path}`, init);
  const text = await res.text();
  bodies.push(text);
  let json: unknown = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, text, json };
}
const post = (path: string, body: unknown) => call(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
async function settled(id: string): Promise<Record<string, any>> {
  const image = await waitForStatus(d.url, `/imagefactory/provider_images/${id}`, ['COMPLETE', 'FAILED'], 120_000);
  bodies.push(JSON.stringify(image));
  bodies.push((await call(`/imagefactory/provider_images/${id}/log`)).text);
  return image;
}
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
  root = await mkdtemp(join(tmpdir(), 'lv-ovirt-e2e-'));
  poolDir = join(root, 'pool');
  await mkdir(poolDir);
  ovirt = await startOvirt(root, { username: USER, password: PASSWORD });
  libvirtd = await startOrReuseLibvirtd(root);
  // Defined domains persist in /etc/libvirt: a run that was killed leaves this one behind.
  await libvirtd.virsh(['undefine', 'imgfac-test-e2e']).catch(() => undefined);
  await libvirtd.virsh(['pool-create-as', POOL, 'dir', '--target', poolDir]);
  d = await startTestDaemon({ plugins: builtinPlugins() });
});
after(async () => {
  await d?.stop();
  await ovirt?.stop();
  if (libvirtd) {
    await libvirtd.virsh(['undefine', 'imgfac-test-e2e']).catch(() => undefined);
    await libvirtd.virsh(['pool-destroy', POOL]).catch(() => undefined);
    await libvirtd.stop();
  }
  if (d) await rm(d.dataDir, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

test('an rhevm target image goes to oVirt and to libvirt through the API, is deleted again, and no credential leaks', async () => {
  const disk = await makeSyntheticDisk(await mkdtemp(join(root, 'disk-')), { sizeMiB: 64 });
  const imported = await call('/imagefactory/base_images/import?os_name=Debian&os_version=12&arch=x86_64&name=e2e', {
    method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: await readFile(disk.path),
  });
  assert.equal(imported.status, 202, imported.text);
  const base = await waitForStatus(d.url, `/imagefactory/base_images/${imported.json.base_image.id}`, ['COMPLETE', 'FAILED'], 120_000);
  assert.equal(base.status, 'COMPLETE', JSON.stringify(base.status_detail));
  const t = await post('/imagefactory/target_images', { target_image: { target: 'rhevm', base_image_id: base.id } });
  assert.equal(t.status, 202, t.text);
  const target = await waitForStatus(d.url, `/imagefactory/target_images/${t.json.target_image.id}`, ['COMPLETE', 'FAILED'], 300_000);
  assert.equal(target.status, 'COMPLETE', JSON.stringify(target.status_detail));
  const body = Buffer.from(await (await fetch(`${d.url}/imagefactory/target_images/${target.id}/raw_image`)).arrayBuffer());
  assert.equal(body.subarray(0, 4).toString('latin1'), 'QFI\xfb', 'the rhevm target image is a qcow2');

  const ovirtProvider = { 'api-url': ovirt.apiUrl, storage_domain: 'data', ca_cert: ovirt.caPem };
  const credentials = { username: USER, password: PASSWORD };

  // Refused at POST, naming the field, never echoing the credentials.
  const bad = await post('/imagefactory/provider_images', { provider_image: { target: 'rhevm', target_image_id: target.id, provider: { 'api-url': ovirt.apiUrl }, credentials } });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /storage_domain is required/);
  const badKey = await post('/imagefactory/provider_images', { provider_image: { target: 'rhevm', target_image_id: target.id, provider: 'qemu:///system', credentials: { ssh_key: `/keys/${MARK}` } } });
  assert.equal(badKey.status, 400);
  assert.match(badKey.text, /credentials.ssh_key applies only to SSH URIs/);

  // oVirt: the default provider of rhevm.
  const o = await post('/imagefactory/provider_images', { provider_image: { target: 'rhevm', target_image_id: target.id, provider: ovirtProvider, credentials } });
  assert.equal(o.status, 202, o.text);
  const pushed = await settled(o.json.provider_image.id);
  assert.equal(pushed.status, 'COMPLETE', JSON.stringify(pushed.status_detail));
  assert.equal(pushed.provider_account_identifier, ovirt.userId);
  const diskId = pushed.identifier_on_provider as string;
  assert.equal(ovirt.disks.get(diskId)?.format, 'cow');
  assert.ok((await ovirt.diskBytes(diskId)).equals(body), 'the oVirt disk holds the target image');

  const wrong = await post('/imagefactory/provider_images', { provider_image: { target: 'rhevm', target_image_id: target.id, provider: ovirtProvider, credentials: { username: USER, password: `${MARK}-wrong` } } });
  const failed = await settled(wrong.json.provider_image.id);
  assert.equal(failed.status, 'FAILED');
  assert.match(JSON.stringify(failed.status_detail), /Cannot authenticate user 'REDACTED'/);

  // libvirt: picked by the document's type; a volume and a defined domain.
  const lvProvider = { type: 'libvirt', pool: POOL, define_domain: true, domain: 'imgfac-test-e2e' };
  const l = await post('/imagefactory/provider_images', { provider_image: { target: 'rhevm', target_image_id: target.id, provider: lvProvider, credentials: {} } });
  assert.equal(l.status, 202, l.text);
  const lv = await settled(l.json.provider_image.id);
  assert.equal(lv.status, 'COMPLETE', JSON.stringify(lv.status_detail));
  const volume = lv.identifier_on_provider as string;
  assert.equal(volume, join(poolDir, `imagefactory-${target.id}.qcow2`));
  assert.ok((await readFile(volume)).equals(body), 'the volume holds the target image');
  assert.match(await libvirtd.virsh(['dumpxml', 'imgfac-test-e2e']), new RegExp(`<source pool='${POOL}' volume='imagefactory-${target.id}.qcow2'`));

  // libvirt over SSH with a key path holding the marker: fails with ssh's words, scrubbed.
  const ssh = await post('/imagefactory/provider_images', { provider_image: { target: 'rhevm', target_image_id: target.id, provider: 'qemu+ssh://nobody@127.0.0.1:1/system', credentials: { ssh_key: `/nonexistent/${MARK}-key` } } });
  assert.equal(ssh.status, 202, ssh.text);
  const sshFailed = await settled(ssh.json.provider_image.id);
  assert.equal(sshFailed.status, 'FAILED');
  // ssh quotes the key path; it reaches the image as REDACTED.
  assert.match(JSON.stringify(sshFailed.status_detail), /libvirt: failed to connect to the hypervisor.*Identity file REDACTED not accessible.*Connection refused/);

  // DELETE both: the oVirt disk, the libvirt volume and domain are gone.
  for (const [id, provider, creds] of [[o.json.provider_image.id, ovirtProvider, credentials], [l.json.provider_image.id, lvProvider, {}]] as const) {
    const del = await call(`/imagefactory/provider_images/${id}`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider_image: { target: 'rhevm', provider, credentials: creds } }) });
    assert.equal(del.status, 204, del.text);
    await waitForStatus(d.url, `/imagefactory/provider_images/${id}`, ['HTTP 404'], 60_000);
  }
  assert.equal(ovirt.disks.has(diskId), false);
  assert.deepEqual(await readdir(poolDir), []);
  assert.ok(!(await libvirtd.virsh(['list', '--all', '--name'])).includes('imgfac-test-e2e'));

  for (const text of bodies) assert.ok(!text.includes(MARK), `a response carried the marker: ${text.slice(0, 200)}`);
  for (const f of await allFiles(d.dataDir)) {
    assert.ok(!(await readFile(f, 'latin1')).includes(MARK), `${f} holds the marker`);
  }
});
