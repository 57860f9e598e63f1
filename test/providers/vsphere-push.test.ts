import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../../src/platform/exec.js';
import { vsphereProvider } from '../../src/plugins/providers/vsphere/vsphere-plugin.js';
import { VimClient } from '../../src/plugins/providers/vsphere/vim-client.js';
import { login, logout, retrieveServiceContent, type ServiceContent } from '../../src/plugins/providers/vsphere/vim-session.js';
import { findByInventoryPath, retrieveProperties } from '../../src/plugins/providers/vsphere/vim-properties.js';
import { readVm, type VmFacts } from '../../src/plugins/providers/vsphere/vm-operations.js';
import { text, VsphereFault } from '../../src/plugins/providers/vsphere/soap-envelope.js';
import type { PushContext } from '../../src/plugins/sdk/index.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { makeDeleteContext, makePushContext } from './helpers/push-context.js';
import { startVcsim, type VcsimServer } from './helpers/vcsim-server.js';

/**
 * The vSphere provider against VMware's own simulator (vcsim from Debian's govmomi): the OVF import
 * creates a real VM in vcsim's inventory with the disk's capacity, the NFC lease takes every byte of
 * the VMDK (vcsim logs the count; it discards the data), MarkAsTemplate and Destroy_Task act on the
 * inventory, and vcsim's own faults come back as the push's error.
 */
const PASSWORD = 'pass';
let root: string;
let vcsim: VcsimServer;
let vmdk: string;
let sparseVmdk: string;
const CAPACITY = 64 * 1024 * 1024;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'vsphere-push-'));
  vcsim = await startVcsim(root);
  const disk = await makeSyntheticDisk(root, { sizeMiB: 64, blobMiB: 4 });
  vmdk = join(root, 'disk-stream.vmdk');
  sparseVmdk = join(root, 'disk-sparse.vmdk');
  await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized,adapter_type=lsilogic', disk.path, vmdk]);
  await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=monolithicSparse', disk.path, sparseVmdk]);
});
after(async () => {
  await vcsim?.stop();
  await rm(root, { recursive: true, force: true });
});

const provider = (extra: Record<string, unknown> = {}) => ({ type: 'vsphere', 'api-url': vcsim.sdkUrl, thumbprint: vcsim.thumbprint, datacenter: 'DC0', resource_pool: 'DC0_C0/Resources', datastore: 'LocalDS_0', ...extra });
const creds = (password = PASSWORD) => `<provider_credentials><vsphere_credentials><username>user</username><password>${password}</password></vsphere_credentials></provider_credentials>`;

async function pushCtx(opts: { bodyPath?: string; provider?: unknown; credentials?: unknown; parameters?: Record<string, unknown>; imageId?: string }): Promise<PushContext & { lines: string[] }> {
  const ctx = await makePushContext(root, {
    target: 'vsphere', provider: opts.provider ?? provider(), credentials: opts.credentials ?? creds(), parameters: opts.parameters,
    targetImage: { id: 'ti-1', bodyPath: opts.bodyPath ?? vmdk, format: 'vmdk', template: null, properties: {} },
  });
  return Object.assign(ctx, { imageId: opts.imageId ?? ctx.imageId });
}

/** Looks at vcsim's inventory with a session of its own. */
async function inspect<T>(fn: (vim: VimClient, content: ServiceContent) => Promise<T>): Promise<T> {
  const vim = new VimClient(vcsim.sdkUrl, { insecure: true });
  try {
    const content = await retrieveServiceContent(vim);
    await login(vim, content, 'user', PASSWORD);
    try { return await fn(vim, content); } finally { await logout(vim, content); }
  } finally {
    await vim.close();
  }
}
const vmFacts = (id: string) => inspect((vim, c) => readVm(vim, c, { type: 'VirtualMachine', value: id }));
const vmNamed = (name: string) => inspect((vim, c) => findByInventoryPath(vim, c, `DC0/vm/${name}`));

test('push imports the VMDK as a VM with its disk (every byte through the lease); DELETE destroys it', async () => {
  const ctx = await pushCtx({ imageId: 'pi-vm-1' });
  const percents: number[] = [];
  ctx.progress = (p) => percents.push(p);
  const r = await vsphereProvider.push(ctx);
  assert.match(r.identifierOnProvider, /^vm-\d+$/);
  assert.equal(r.providerAccountIdentifier, 'user');
  const facts: VmFacts = await vmFacts(r.identifierOnProvider);
  assert.equal(facts.name, 'factory-image-pi-vm-1');
  assert.equal(facts.template, false);
  assert.equal(facts.disks.length, 1);
  assert.equal(facts.disks[0].capacityBytes, CAPACITY);
  assert.match(facts.disks[0].fileName, /^\[LocalDS_0\] factory-image-pi-vm-1\//);
  const size = (await stat(vmdk)).size;
  assert.equal(r.properties?.vsphere_bytes_uploaded, size);
  assert.match(await vcsim.log(), new RegExp(`nfc POST \\S*factory-image-pi-vm-1/disk-0\\.vmdk: transferred ${size} bytes`));
  assert.ok(percents.some((p) => p > 8 && p < 95), `progress from bytes sent: ${percents.join(',')}`);
  assert.equal(percents.at(-1), 100);

  const del = await makeDeleteContext(root, { target: 'vsphere', provider: provider(), credentials: creds(), identifierOnProvider: r.identifierOnProvider });
  await vsphereProvider.delete(del);
  await assert.rejects(vmFacts(r.identifierOnProvider), (e: unknown) => e instanceof VsphereFault && e.faultType === 'ManagedObjectNotFound');
  assert.equal(await vmNamed('factory-image-pi-vm-1'), undefined);
  // A second DELETE of a VM that is gone succeeds (nothing to do).
  await vsphereProvider.delete(await makeDeleteContext(root, { target: 'vsphere', provider: provider(), credentials: creds(), identifierOnProvider: r.identifierOnProvider }));
});

test('a monolithicSparse VMDK is converted, imported onto a given host, into a folder, under a given name, with CPUs and memory, and marked as a template', async () => {
  await inspect(async (vim, c) => {
    const vmFolder = await findByInventoryPath(vim, c, 'DC0/vm');
    await vim.call('CreateFolder', vmFolder!, [{ name: 'name', text: 'imports' }]);
  });
  const ctx = await pushCtx({ bodyPath: sparseVmdk, provider: provider({ insecure: true, thumbprint: undefined, folder: 'imports', vm_name: 'debian-golden', resource_pool: undefined, compute_resource: 'DC0_C0', host_system: 'DC0_C0/DC0_C0_H1' }), parameters: { template: 'true', cpus: 2, memory_mb: 2048 } });
  const r = await vsphereProvider.push(ctx);
  const facts = await vmFacts(r.identifierOnProvider);
  assert.equal(facts.name, 'debian-golden');
  assert.equal(facts.template, true);
  assert.equal(facts.disks[0].capacityBytes, CAPACITY);
  assert.equal(r.properties?.vsphere_template, true);
  assert.ok(await vmNamed('imports/debian-golden'), 'the VM is in the imports folder');
  const placed = await inspect((vim, c) => retrieveProperties(vim, c, { type: 'VirtualMachine', value: r.identifierOnProvider }, ['runtime.host', 'config.hardware.numCPU', 'config.hardware.memoryMB']));
  const host = await inspect((vim, c) => findByInventoryPath(vim, c, 'DC0/host/DC0_C0/DC0_C0_H1'));
  assert.equal(text(placed.get('runtime.host')), host?.value, 'the VM is on the host asked for');
  assert.equal(text(placed.get('config.hardware.numCPU')), '2');
  assert.equal(text(placed.get('config.hardware.memoryMB')), '2048');
  assert.ok(ctx.lines.some((l) => /converting it to a streamOptimized VMDK/.test(l)));
  await vsphereProvider.delete(await makeDeleteContext(root, { target: 'vsphere', provider: provider(), credentials: creds(), identifierOnProvider: r.identifierOnProvider }));
  assert.equal(await vmNamed('imports/debian-golden'), undefined);
});

test('a wrong password fails with vSphere\'s login fault, never quoting the password', async () => {
  const wrong = 'Wrong-Secret-Password-9';
  await assert.rejects(vsphereProvider.push(await pushCtx({ credentials: { username: 'user', password: wrong } })), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'PROVIDER_FAILED');
    assert.match(e.message, /InvalidLogin: Cannot complete login due to an incorrect user name or password \(vSphere said: Login failure\)/);
    assert.ok(!e.message.includes(wrong));
    return true;
  });
});

test('an unknown datastore, network or pool fails naming it; nothing is created', async () => {
  await assert.rejects(vsphereProvider.push(await pushCtx({ provider: provider({ datastore: 'NoSuchDS' }), imageId: 'pi-bad-ds' })),
    /vSphere: datastore "NoSuchDS" was not found in datacenter DC0/);
  await assert.rejects(vsphereProvider.push(await pushCtx({ provider: provider({ network_name: 'Nope Net' }) })), /network "Nope Net" was not found/);
  await assert.rejects(vsphereProvider.push(await pushCtx({ provider: provider({ resource_pool: undefined }) })), /name compute_resource \(a cluster or host\) or resource_pool.*DC0_H0.*DC0_C0|name compute_resource \(a cluster or host\) or resource_pool.*DC0_C0.*DC0_H0/);
  assert.equal(await vmNamed('factory-image-pi-bad-ds'), undefined);
});

test('vSphere\'s own faults fail the push: a duplicate VM name (ImportVApp), an unreachable endpoint', async () => {
  const first = await vsphereProvider.push(await pushCtx({ provider: provider({ vm_name: 'dup-vm' }) }));
  await assert.rejects(vsphereProvider.push(await pushCtx({ provider: provider({ vm_name: 'dup-vm' }) })), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'PROVIDER_FAILED');
    // vCenter answers DuplicateName; vcsim finds the VM's directory first.
    assert.match(e.message, /^vSphere: (DuplicateName|FileAlreadyExists): .*dup-vm/);
    return true;
  });
  await vsphereProvider.delete(await makeDeleteContext(root, { target: 'vsphere', provider: provider(), credentials: creds(), identifierOnProvider: first.identifierOnProvider }));
  assert.equal(await vmNamed('dup-vm'), undefined);
  const port = Number(new URL(vcsim.sdkUrl).port);
  await assert.rejects(vsphereProvider.push(await pushCtx({ provider: { ...provider(), 'api-url': `https://127.0.0.1:${port === 1 ? 2 : 1}/sdk` } })), /vSphere: ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1/);
});

test('TLS: the self-signed certificate is refused unless pinned or insecure; a wrong pin is refused', async () => {
  await assert.rejects(vsphereProvider.push(await pushCtx({ provider: provider({ thumbprint: undefined }) })), /certificate.*trust the vCenter's certificate with ca_cert or thumbprint/i);
  await assert.rejects(vsphereProvider.push(await pushCtx({ provider: provider({ thumbprint: '00'.repeat(20) }) })), /fingerprint .* is not the pinned 0000/);
});

test('a cancelled upload aborts the lease and leaves no VM behind', async () => {
  const ctx = await pushCtx({ imageId: 'pi-cancel' });
  const ac = new AbortController();
  ctx.signal = ac.signal;
  ctx.progress = (p) => { if (p > 8) ac.abort(new Error('cancelled by the test')); };
  await assert.rejects(vsphereProvider.push(ctx));
  assert.equal(await vmNamed('factory-image-pi-cancel'), undefined);
  assert.ok(ctx.lines.some((l) => /Removed the half-imported VM|Destroyed VM factory-image-pi-cancel/.test(l)), ctx.lines.join('\n'));
});

test('check() names bad or missing fields without echoing secrets', () => {
  const p = (x: Record<string, unknown>) => vsphereProvider.check('vsphere', x, creds());
  assert.deepEqual(p(provider()), []);
  assert.match(p({ datastore: 'x' }).join(), /api-url is required/);
  assert.match(p({ 'api-url': 'https://vc/sdk' }).join(), /datastore is required/);
  assert.match(p({ ...provider(), thumbprint: 'xyz' }).join(), /thumbprint must be/);
  assert.match(p({ ...provider(), password: 'Provider-Secret-1' }).join(), /belong in the credentials/);
  assert.ok(!p({ ...provider(), password: 'Provider-Secret-1' }).join().includes('Provider-Secret-1'));
  assert.match(vsphereProvider.check('vsphere', provider(), { username: 'u' }).join(), /credentials: password is required/);
  assert.match(vsphereProvider.check('vsphere', provider(), '<provider_credentials><vsphere_credentials><password>S3cret-XY</password></vsphere_credentials></provider_credentials>').join(), /username is required/);
  assert.match(vsphereProvider.check('vsphere', 'vsphere-lab', creds()).join(), /JSON object or an XML element/);
  assert.deepEqual(vsphereProvider.check('vsphere', `<provider type="vsphere" api-url="${vcsim.sdkUrl}" datastore="LocalDS_0" compute_resource="DC0_C0"/>`, '{"username": "u", "password": "p4ss-word"}'), []);
});
