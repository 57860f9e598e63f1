import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator, XMLParser } from 'fast-xml-parser';
import { runTool } from '../../../platform/exec.js';
import { makeSyntheticDisk } from '../../../../test/helpers/synthetic-disk.js';
import { makeTargetContext } from '../../../../test/helpers/target-context.js';
import type { TargetPlugin } from '../../sdk/index.js';
import { vspherePlugin } from '../vsphere/vsphere-plugin.js';
import { rhevmPlugin } from '../rhevm/rhevm-plugin.js';
import { hypervPlugin } from '../hyperv/hyperv-plugin.js';
import { ovaPlugin } from './ova-plugin.js';

let root: string;
let diskPath: string;
const sources: Record<string, { path: string; fmt: string }> = {};

async function makeSource(name: string, plugin: TargetPlugin, target: string, parameters: Record<string, unknown>, fmt: string) {
  const ctx = await makeTargetContext({ root, target, outputName: `${name}.img`, parameters, base: { id: 'b', diskPath, rootfsTarPath: null, template: null } });
  await plugin.createTargetImage(ctx);
  sources[name] = { path: ctx.outputPath, fmt };
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ova-target-'));
  diskPath = (await makeSyntheticDisk(await mkdtemp(join(root, 'base-')))).path;
  await makeSource('vsphere', vspherePlugin, 'vsphere', {}, 'vmdk');
  await makeSource('vsphere-standard', vspherePlugin, 'vsphere', { vsphere_vmdk_format: 'standard' }, 'vmdk');
  await makeSource('rhevm', rhevmPlugin, 'rhevm', {}, 'qcow2');
  await makeSource('rhevm-raw', rhevmPlugin, 'rhevm', { rhevm_image_format: 'raw' }, 'raw');
  await makeSource('hyperv', hypervPlugin, 'hyperv', {}, 'vhdx');
});
after(async () => { await rm(root, { recursive: true, force: true }); });

let packed = 0;
async function pack(source: string, target: string, parameters: Record<string, unknown> = {}) {
  const ctx = await makeTargetContext({
    root, target: 'ova', outputName: `${source}-${++packed}.pkg`, parameters,
    base: { id: 'b', diskPath, rootfsTarPath: null, template: null },
    sourceTargetImage: { id: `ti-${source}`, target, bodyPath: sources[source].path, parameters: {} },
  });
  const result = await ovaPlugin.createTargetImage(ctx);
  const x = await mkdtemp(join(root, 'x-'));
  await runTool(['tar', '-xf', ctx.outputPath, '-C', x]);
  const { stdout } = await runTool(['tar', '-tf', ctx.outputPath]);
  return { result, members: stdout.trim().split('\n'), x, out: ctx.outputPath };
}

const parseXml = (s: string) => {
  assert.equal(XMLValidator.validate(s), true);
  return new XMLParser({ ignoreAttributes: false }).parse(s);
};
const sha256 = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');

test('vsphere OVA: desc.ovf, manifest, streamOptimized disk; lsilogic + E1000; hashes match', async () => {
  const { result, members, x, out } = await pack('vsphere', 'vsphere', { ovf_name: 'web <1>', ovf_memory_mb: '2048', vsphere_product_name: 'Factory' });
  assert.equal(result.format, 'ova');
  assert.deepEqual(members, ['desc.ovf', 'desc.mf', 'disk.vmdk']);
  assert.equal((await readFile(out)).subarray(257, 263).toString('latin1'), 'ustar\0');
  const ovf = await readFile(join(x, 'desc.ovf'), 'utf8');
  const doc = parseXml(ovf);
  const items = doc.Envelope.VirtualSystem.VirtualHardwareSection.Item as Record<string, unknown>[];
  assert.ok(items.some((i) => i['rasd:ResourceSubType'] === 'lsilogic'));
  assert.ok(items.some((i) => i['rasd:ResourceSubType'] === 'E1000'));
  assert.ok(items.some((i) => i['rasd:ResourceType'] === 4 && i['rasd:VirtualQuantity'] === 2048));
  assert.equal(doc.Envelope.VirtualSystem.Name, 'web <1>');
  assert.equal(doc.Envelope.VirtualSystem.ProductSection.Product, 'Factory');
  const mf = (await readFile(join(x, 'desc.mf'), 'utf8')).trim().split('\n');
  assert.deepEqual(mf, [`SHA256(desc.ovf)= ${await sha256(join(x, 'desc.ovf'))}`, `SHA256(disk.vmdk)= ${await sha256(join(x, 'disk.vmdk'))}`]);
  await runTool(['qemu-img', 'compare', '-q', '-f', 'vmdk', '-F', 'vmdk', sources.vsphere.path, join(x, 'disk.vmdk')]);
});

test('vsphere standard VMDK is re-encoded streamOptimized for the OVA; vagrant-virtualbox and fusion boxes', async () => {
  const std = await pack('vsphere-standard', 'vsphere');
  const head = (await readFile(join(std.x, 'disk.vmdk'))).subarray(0, 65536).toString('latin1');
  assert.match(head, /createType="streamOptimized"/);
  await runTool(['qemu-img', 'compare', '-q', '-f', 'vmdk', '-F', 'vmdk', sources['vsphere-standard'].path, join(std.x, 'disk.vmdk')]);

  const vb = await pack('vsphere', 'vsphere', { vsphere_ova_format: 'vagrant-virtualbox' });
  assert.equal(vb.result.format, 'box');
  assert.deepEqual(vb.members, ['box.ovf', 'box-disk1.vmdk', 'metadata.json', 'Vagrantfile']);
  assert.equal(JSON.parse(await readFile(join(vb.x, 'metadata.json'), 'utf8')).provider, 'virtualbox');
  parseXml(await readFile(join(vb.x, 'box.ovf'), 'utf8'));

  const fu = await pack('vsphere', 'vsphere', { vsphere_ova_format: 'vagrant-vmware-fusion' });
  assert.deepEqual(fu.members, ['metadata.json', 'Vagrantfile', 'box.vmx', 'disk.vmdk']);
  assert.match(await readFile(join(fu.x, 'box.vmx'), 'utf8'), /scsi0:0.fileName = "disk.vmdk"/);
  assert.match((await readFile(join(fu.x, 'disk.vmdk'))).subarray(0, 65536).toString('latin1'), /createType="monolithicSparse"/);
});

test('rhevm package: export-domain layout, gzipped, OVF parses; raw source goes to a qcow2 vagrant-libvirt box', async () => {
  const rh = await pack('rhevm', 'rhevm', { rhevm_description: 'desc & more' });
  assert.equal(rh.result.format, 'tar.gz');
  const t = rh.result.properties!.rhevm_template_uuid, i = rh.result.properties!.rhevm_image_uuid, v = rh.result.properties!.rhevm_volume_uuid;
  assert.deepEqual(rh.members, [`master/vms/${t}/${t}.ovf`, `images/${i}/${v}.meta`, `images/${i}/${v}`]);
  const doc = parseXml(await readFile(join(rh.x, `master/vms/${t}/${t}.ovf`), 'utf8'));
  assert.equal(doc['ovf:Envelope'].Content.Description, 'desc & more');
  assert.match(await readFile(join(rh.x, `images/${i}/${v}.meta`), 'utf8'), /FORMAT=COW/);
  await runTool(['qemu-img', 'compare', '-q', '-f', 'qcow2', '-F', 'qcow2', sources.rhevm.path, join(rh.x, `images/${i}/${v}`)]);

  const box = await pack('rhevm-raw', 'rhevm', { rhevm_ova_format: 'vagrant-libvirt', vagrant_sync_directory: "/srv/it's" });
  assert.deepEqual(box.members, ['metadata.json', 'Vagrantfile', 'box.img']);
  assert.deepEqual(JSON.parse(await readFile(join(box.x, 'metadata.json'), 'utf8')), { provider: 'libvirt', format: 'qcow2', virtual_size: 1 });
  assert.match(await readFile(join(box.x, 'Vagrantfile'), 'utf8'), /synced_folder "\.", '\/srv\/it\\'s', type: "rsync"/);
  await runTool(['qemu-img', 'compare', '-q', '-f', 'raw', '-F', 'qcow2', sources['rhevm-raw'].path, join(box.x, 'box.img')]);
});

test('hyperv packages carry the VHDX under Virtual Hard Disks', async () => {
  const hv = await pack('hyperv', 'hyperv');
  assert.equal(hv.members.at(-1), 'Virtual Hard Disks/disk.vhdx');
  assert.match(hv.members[0], /^Virtual Machines\/[0-9A-F-]{36}\.xml$/);
  parseXml(await readFile(join(hv.x, hv.members[0]), 'utf8'));
  const hvv = await pack('hyperv', 'hyperv', { hyperv_ova_format: 'hyperv-vagrant' });
  assert.equal(JSON.parse(await readFile(join(hvv.x, 'metadata.json'), 'utf8')).provider, 'hyperv');
});

test('the OVA target refuses other sources and bad parameters', async () => {
  const ctx = await makeTargetContext({ root, target: 'ova', outputName: 'bad.ova', base: { id: 'b', diskPath, rootfsTarPath: null, template: null } });
  await assert.rejects(ovaPlugin.createTargetImage(ctx), { code: 'BUILD_FAILED' });
  assert.equal(ovaPlugin.checkParameters!('ova', { vsphere_ova_format: 'qcow' }).length, 1);
  assert.equal(ovaPlugin.checkParameters!('ova', { ovf_cpu_count: 'two' }).length, 1);
});
