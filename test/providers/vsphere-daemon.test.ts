import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinPlugins } from '../../src/main/builtin-plugins.js';
import { VimClient } from '../../src/plugins/providers/vsphere/vim-client.js';
import { login, logout, retrieveServiceContent } from '../../src/plugins/providers/vsphere/vim-session.js';
import { findByInventoryPath } from '../../src/plugins/providers/vsphere/vim-properties.js';
import { readVm } from '../../src/plugins/providers/vsphere/vm-operations.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { removeDir, startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';
import { startVcsim, type VcsimServer } from './helpers/vcsim-server.js';

/**
 * Through the daemon with the built-in plugins: an imported disk → a vsphere target image (a real
 * streamOptimized VMDK) → POST provider_images (vSphere is the target's default provider) → a VM in
 * vcsim; then DELETE destroys it. The password is a secret marker that must appear in no response,
 * no build log and no file under the data directory; the username is the provider account id.
 */
const USERNAME = 'USERNAME-MARKER-a41c';
const PASSWORD = 'PASSWORD-SECRET-MARKER-7e2d';
const WRONG = 'WRONG-SECRET-MARKER-93fb';
let root: string;
let vcsim: VcsimServer;
let d: TestDaemon;
const bodies: string[] = [];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'vsphere-daemon-'));
  vcsim = await startVcsim(root, { username: USERNAME, password: PASSWORD });
  d = await startTestDaemon({ plugins: builtinPlugins() });
});
after(async () => {
  await d?.stop();
  await vcsim?.stop();
  if (d) await removeDir(d.dataDir);
  await rm(root, { recursive: true, force: true });
});

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; text: string; json: any }> {
  const res = await fetch(`${d.url}${path}`, init);
  const text = await res.text();
  bodies.push(text);
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, text, json };
}
const postJson = (path: string, body: unknown) => call(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
const wait = async (path: string) => { const r = await waitForStatus(d.url, path, ['COMPLETE', 'FAILED'], 180_000); bodies.push(JSON.stringify(r)); return r; };

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await allFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function vmExists(id: string): Promise<{ name: string; capacity: number } | null> {
  const vim = new VimClient(vcsim.sdkUrl, { fingerprint: vcsim.thumbprint });
  try {
    const c = await retrieveServiceContent(vim);
    await login(vim, c, USERNAME, PASSWORD);
    try {
      const folder = await findByInventoryPath(vim, c, 'DC0/vm');
      if (!folder) throw new Error('no DC0/vm');
      const facts = await readVm(vim, c, { type: 'VirtualMachine', value: id }).catch(() => null);
      return facts ? { name: facts.name, capacity: facts.disks[0]?.capacityBytes ?? 0 } : null;
    } finally { await logout(vim, c); }
  } finally { await vim.close(); }
}

test('an imported disk becomes a vsphere target image and a VM in vcsim; DELETE destroys it; the password is never shown', async () => {
  const listed = await call('/imagefactory/targets/vsphere/providers');
  assert.equal(listed.status, 200, listed.text);
  const vsphere = listed.json.providers.find((p: { provider: { id: string } }) => p.provider.id === 'vsphere');
  assert.ok(vsphere, listed.text);
  assert.deepEqual(vsphere.provider.credential_fields.map((f: { name: string }) => f.name), ['username', 'password']);

  const disk = await makeSyntheticDisk(root, { sizeMiB: 64, blobMiB: 2 });
  const imported = await call('/imagefactory/base_images/import?os_name=Debian&os_version=12&name=vs-e2e', {
    method: 'POST', headers: { 'content-type': 'application/octet-stream', accept: 'application/json' }, body: await readFile(disk.path),
  });
  assert.equal(imported.status, 202, imported.text);
  const base = await wait(`/imagefactory/base_images/${imported.json.base_image.id}`);
  assert.equal(base.status, 'COMPLETE', JSON.stringify(base.status_detail));
  const t = await postJson('/imagefactory/target_images', { target_image: { target: 'vsphere', base_image_id: base.id } });
  assert.equal(t.status, 202, t.text);
  const target = await wait(`/imagefactory/target_images/${t.json.target_image.id}`);
  assert.equal(target.status, 'COMPLETE', JSON.stringify(target.status_detail));

  const provider = JSON.stringify({ 'api-url': vcsim.sdkUrl, thumbprint: vcsim.thumbprint, datastore: 'LocalDS_0', compute_resource: 'DC0_C0', network_name: 'VM Network' });
  const credentials = (password: string) => `<provider_credentials><vsphere_credentials><username>${USERNAME}</username><password>${password}</password></vsphere_credentials></provider_credentials>`;

  // Bad input is a 400 naming the field, before anything is stored.
  const bad = await postJson('/imagefactory/provider_images', { provider_image: { target: 'vsphere', provider: JSON.stringify({ 'api-url': vcsim.sdkUrl }), credentials: credentials(PASSWORD), target_image_id: target.id } });
  assert.equal(bad.status, 400, bad.text);
  assert.match(bad.text, /datastore is required/);

  // A wrong password: FAILED with vSphere's fault text.
  const w = await postJson('/imagefactory/provider_images', { provider_image: { target: 'vsphere', provider, credentials: credentials(WRONG), target_image_id: target.id } });
  assert.equal(w.status, 202, w.text);
  const wrong = await wait(`/imagefactory/provider_images/${w.json.provider_image.id}`);
  assert.equal(wrong.status, 'FAILED');
  assert.match(JSON.stringify(wrong.status_detail), /incorrect user name or password/);

  const p = await postJson('/imagefactory/provider_images', { provider_image: { target: 'vsphere', provider, credentials: credentials(PASSWORD), target_image_id: target.id, parameters: { template: 'true' } } });
  assert.equal(p.status, 202, p.text);
  const pushed = await wait(`/imagefactory/provider_images/${p.json.provider_image.id}`);
  assert.equal(pushed.status, 'COMPLETE', JSON.stringify(pushed.status_detail));
  const vmId = pushed.identifier_on_provider as string;
  assert.match(vmId, /^vm-\d+$/);
  assert.equal(pushed.provider_account_identifier, USERNAME);
  const vm = await vmExists(vmId);
  assert.equal(vm?.name, `factory-image-${pushed.id}`);
  assert.equal(vm?.capacity, 64 * 1024 * 1024, 'the VM disk has the image\'s capacity');
  assert.match(await vcsim.log(), /nfc POST \S+\/disk-0\.vmdk: transferred [1-9]\d* bytes/);
  const log = await call(`/imagefactory/provider_images/${pushed.id}/log`);
  assert.equal(log.status, 200);
  assert.match(log.text, /Lease \S+ complete: \d+ bytes uploaded/);
  assert.match(log.text, /ready as a template/);
  const wrongLog = await call(`/imagefactory/provider_images/${wrong.id}/log`);
  assert.equal(wrongLog.status, 200);

  const del = await call(`/imagefactory/provider_images/${pushed.id}`, {
    method: 'DELETE', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target: 'vsphere', provider, credentials: credentials(PASSWORD) }),
  });
  assert.equal(del.status, 204, del.text);
  for (let i = 0; i < 200 && (await call(`/imagefactory/provider_images/${pushed.id}`)).status !== 404; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal((await call(`/imagefactory/provider_images/${pushed.id}`)).status, 404, 'the delete finished');
  assert.equal(await vmExists(vmId), null, 'the VM is gone from vcsim');

  for (const f of await allFiles(d.dataDir)) {
    const text = await readFile(f, 'latin1');
    for (const secret of [PASSWORD, WRONG]) assert.ok(!text.includes(secret), `${secret} found in ${f}`);
  }
  for (const body of bodies) for (const secret of [PASSWORD, WRONG]) assert.ok(!body.includes(secret), `${secret} in a response`);
});
