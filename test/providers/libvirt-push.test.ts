import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAppError } from '../../src/domain/errors.js';
import type { Tdl } from '../../src/domain/template/tdl.js';
import { parseXmlTree, type XmlElement } from '../../src/domain/template/xml-tree.js';
import { runTool } from '../../src/platform/exec.js';
import { libvirtProvider } from '../../src/plugins/providers/libvirt/libvirt-plugin.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { startOrReuseLibvirtd, type Libvirtd } from './helpers/libvirtd.js';
import { makeDeleteContext, makePushContext } from './helpers/push-context.js';

/**
 * The libvirt provider against a real libvirtd (QEMU driver) on qemu:///system: a transient dir
 * pool in a temp dir receives the volumes; bytes are compared through vol-download and the pool's
 * files; domains are defined (never started) and removed by DELETE.
 */
let root: string;
let poolDir: string;
let libvirtd: Libvirtd;
let raw: string;
let qcow2: string;
const POOL = `imgfac-test-${process.pid}`;
const template = (arch = 'x86_64') => ({ name: 'lv', os: { name: 'Debian', version: '12', arch } }) as unknown as Tdl;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'libvirt-push-'));
  poolDir = join(root, 'pool');
  await mkdir(poolDir);
  const disk = await makeSyntheticDisk(await mkdtemp(join(root, 'disk-')), { sizeMiB: 64 });
  raw = disk.path;
  qcow2 = join(root, 'disk.qcow2');
  await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
  libvirtd = await startOrReuseLibvirtd(root);
  // Defined domains persist in /etc/libvirt: a run that was killed leaves its test domains behind.
  await undefineTestDomains();
  await libvirtd.virsh(['pool-create-as', POOL, 'dir', '--target', poolDir]);
});
after(async () => {
  if (libvirtd) {
    await undefineTestDomains();
    await libvirtd.virsh(['pool-destroy', POOL]).catch(() => undefined);
    await libvirtd.stop();
  }
  await rm(root, { recursive: true, force: true });
});

async function undefineTestDomains(): Promise<void> {
  for (const name of (await libvirtd.virsh(['list', '--all', '--name']).catch(() => '')).split('\n').map((s) => s.trim())) {
    if (name.startsWith('imgfac-test-')) await libvirtd.virsh(['undefine', name]).catch(() => undefined);
  }
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

function find(el: XmlElement, local: string): XmlElement | undefined {
  if (el.local === local) return el;
  for (const c of el.children) { const hit = find(c, local); if (hit) return hit; }
  return undefined;
}
const attr = (el: XmlElement | undefined, name: string) => el?.attributes.find((a) => a.name === name)?.value;

test('raw push: a sparse upload whose volume bytes equal the image; the domain is defined (not started); DELETE removes both', async () => {
  const provider = { type: 'libvirt', uri: 'qemu:///system', pool: POOL, memory: 512, vcpus: 2 };
  assert.deepEqual(libvirtProvider.check('ec2', provider, {}), []);
  const ctx = await makePushContext(root, {
    target: 'ec2', provider, credentials: {}, parameters: { define_domain: true, domain: 'imgfac-test-raw' },
    targetImage: { id: 'ti-raw-1', bodyPath: raw, format: 'raw', template: template(), properties: {} },
  });
  const result = await libvirtProvider.push(ctx);
  const volPath = join(poolDir, 'imagefactory-ti-raw-1.img');
  assert.equal(result.identifierOnProvider, volPath, 'a dir pool volume key is its path');
  assert.equal(await sha256(volPath), await sha256(raw));
  const s = await stat(volPath);
  assert.ok(s.blocks * 512 < s.size / 4, `the volume stayed sparse: ${s.blocks * 512} of ${s.size} bytes allocated`);
  assert.ok(ctx.argvs.some((a) => a.includes('vol-upload') && a.includes('--sparse')));
  assert.ok(!ctx.argvs.some((a) => a.includes('-c')), 'the URI travels in the environment, not argv');
  assert.deepEqual(ctx.lines.filter((l) => /^error:/.test(l)), [], 'existence probes answered "no" without errors in the build log');

  const dom = parseXmlTree(await libvirtd.virsh(['dumpxml', 'imgfac-test-raw']));
  const kvm = await libvirtd.virsh(['domcapabilities', '--virttype', 'kvm', '--arch', 'x86_64']).then(() => 'kvm', () => 'qemu');
  assert.equal(attr(dom, 'type'), kvm, 'the domain type is the one libvirt says it can run');
  assert.equal(result.properties?.domain_type, kvm);
  const disk = find(dom, 'disk')!;
  assert.equal(attr(disk, 'type'), 'volume');
  assert.deepEqual([attr(find(disk, 'source'), 'pool'), attr(find(disk, 'source'), 'volume'), attr(find(disk, 'driver'), 'type')], [POOL, 'imagefactory-ti-raw-1.img', 'raw']);
  assert.equal(find(dom, 'memory')?.text.trim(), String(512 * 1024));
  assert.equal(find(dom, 'vcpu')?.text.trim(), '2');
  assert.equal((await libvirtd.virsh(['domstate', 'imgfac-test-raw'])).trim(), 'shut off');

  await libvirtProvider.delete(await makeDeleteContext(root, { target: 'ec2', provider, credentials: {}, identifierOnProvider: result.identifierOnProvider }));
  assert.ok(!(await libvirtd.virsh(['list', '--all', '--name'])).includes('imgfac-test-raw'), 'the domain is undefined');
  assert.deepEqual(await readdir(poolDir), []);
  // Deleting again finds nothing and succeeds.
  await libvirtProvider.delete(await makeDeleteContext(root, { target: 'ec2', provider, credentials: {}, identifierOnProvider: result.identifierOnProvider }));
});

test('qcow2 push from an XML provider: vol-download gives back the image; a second push to the same name fails', async () => {
  const provider = `<provider type="libvirt" uri="qemu:///system" pool="${POOL}" volume="imgfac-test-q.qcow2"/>`;
  const image = { id: 'ti-q', bodyPath: qcow2, format: 'qcow2', template: template(), properties: {} };
  const result = await libvirtProvider.push(await makePushContext(root, { target: 'rhevm', provider, credentials: '<provider_credentials/>', targetImage: image }));
  const back = join(root, 'back.qcow2');
  await libvirtd.virsh(['vol-download', '--pool', POOL, 'imgfac-test-q.qcow2', back]);
  assert.equal(await sha256(back), await sha256(qcow2));
  const info = await libvirtd.virsh(['vol-info', '--bytes', result.identifierOnProvider]);
  assert.match(info, /Capacity:\s+67108864 bytes/, 'capacity is the qcow2 virtual size');
  assert.equal(result.properties?.format, 'qcow2');
  assert.equal(result.properties?.domain, undefined, 'no domain unless asked');

  await assert.rejects(libvirtProvider.push(await makePushContext(root, { target: 'rhevm', provider, credentials: {}, targetImage: image })),
    (e: unknown) => isAppError(e) && e.code === 'PROVIDER_FAILED' && /already exists in pool/.test(e.message));
  await libvirtProvider.delete(await makeDeleteContext(root, { target: 'rhevm', provider, credentials: {}, identifierOnProvider: result.identifierOnProvider }));
  assert.deepEqual(await readdir(poolDir), []);
});

test('libvirt refusing the push fails it with libvirt\'s message and leaves no volume behind', async () => {
  const image = { id: 'ti-bad', bodyPath: raw, format: 'raw', template: template('aarch64'), properties: {} };
  await assert.rejects(libvirtProvider.push(await makePushContext(root, { target: 'ec2', provider: { type: 'libvirt', pool: 'no-such-pool' }, credentials: {}, targetImage: image })),
    (e: unknown) => isAppError(e) && e.code === 'PROVIDER_FAILED' && /Storage pool not found/.test(e.message));
  // KVM asked for an arch this host cannot run: define fails after the upload, and the volume goes.
  const ctx = await makePushContext(root, { target: 'ec2', provider: { type: 'libvirt', pool: POOL, domain_type: 'kvm', define_domain: 'true', domain: 'imgfac-test-bad' }, credentials: {}, targetImage: image });
  await assert.rejects(libvirtProvider.push(ctx), (e: unknown) => isAppError(e) && e.code === 'PROVIDER_FAILED' && /^libvirt: /.test(e.message));
  assert.deepEqual(await readdir(poolDir), []);
  assert.ok(!(await libvirtd.virsh(['list', '--all', '--name'])).includes('imgfac-test-bad'));
  await assert.rejects(libvirtProvider.push(await makePushContext(root, { target: 'ec2', provider: { type: 'libvirt', pool: POOL }, credentials: {}, targetImage: { ...image, format: 'vmdk' } })),
    /libvirt volumes are pushed from qcow2 or raw/);
});

test('provider and credential documents: URIs, claims and problems name the field, never the value', () => {
  assert.equal(libvirtProvider.claims?.('qemu:///system'), true);
  assert.equal(libvirtProvider.claims?.('qemu+ssh://root@kvm1.example.com/system'), true);
  assert.equal(libvirtProvider.claims?.('ec2-us-east-1'), false);
  assert.deepEqual(libvirtProvider.check('ec2', 'qemu+ssh://root@kvm1/system', { ssh_key: '/root/.ssh/id_ed25519' }), []);
  assert.deepEqual(libvirtProvider.check('ec2', 'qemu:///system', '{}'), []);
  assert.match(libvirtProvider.check('ec2', 'qemu+ext:///system?command=/bin/sh', {}).join(), /uri must be/);
  assert.match(libvirtProvider.check('ec2', 'qemu:///system?socket=/tmp/x', {}).join(), /without query parameters/);
  assert.match(libvirtProvider.check('ec2', { type: 'libvirt', pool: '../etc' }, {}).join(), /pool must be/);
  assert.match(libvirtProvider.check('ec2', { type: 'libvirt', volume: 'a/b' }, {}).join(), /volume must be/);
  assert.match(libvirtProvider.check('ec2', { type: 'libvirt', memory: 'lots' }, {}).join(), /memory must be a whole number/);
  assert.match(libvirtProvider.check('ec2', 'qemu+tcp:///system', {}).join(), /needs a host/);
  const local = libvirtProvider.check('ec2', 'qemu:///system', { ssh_key: '/keys/SECRET-x' }).join();
  assert.match(local, /credentials.ssh_key applies only to SSH URIs/);
  const odd = libvirtProvider.check('ec2', 'qemu+ssh://h/system', { password: 'SECRET-pw', ssh_key: 'relative-SECRET' }).join();
  assert.match(odd, /unknown field\(s\) password/);
  assert.match(odd, /ssh_key must be an absolute file path/);
  assert.ok(!/SECRET/.test(local + odd));
});
