import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../../platform/exec.js';
import { makeSyntheticDisk, type SyntheticDisk } from '../../../test/helpers/synthetic-disk.js';
import { makeTargetContext } from '../../../test/helpers/target-context.js';
import type { TargetPlugin } from '../sdk/index.js';
import { ec2Plugin } from './ec2/ec2-plugin.js';
import { openstackPlugin } from './openstack-kvm/openstack-plugin.js';
import { rhevmPlugin } from './rhevm/rhevm-plugin.js';
import { vspherePlugin } from './vsphere/vsphere-plugin.js';
import { hypervPlugin } from './hyperv/hyperv-plugin.js';
import { azurePlugin } from './azure/azure-plugin.js';
import { gcePlugin } from './gce/gce-plugin.js';
import { virtualboxPlugin } from './virtualbox/virtualbox-plugin.js';

let root: string;
let disk: SyntheticDisk;
let baseHash: string;
const sha = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'disk-targets-'));
  disk = await makeSyntheticDisk(await mkdtemp(join(root, 'base-')));
  baseHash = await sha(disk.path);
});
after(async () => { await rm(root, { recursive: true, force: true }); });

/** Converts a target image back to raw and reads a file from its root partition with debugfs. */
async function readInImage(image: string, qemuFormat: string, path: string): Promise<{ text: string; exists: boolean }> {
  const raw = `${image}.readback.raw`;
  await runTool(['qemu-img', 'convert', '-f', qemuFormat, '-O', 'raw', image, raw]);
  const dev = `${raw}?offset=${disk.rootOffset}`;
  const { stdout } = await runTool(['debugfs', '-R', `cat ${path}`, dev]);
  const { stdout: st } = await runTool(['debugfs', '-R', `stat ${path}`, dev]);
  await runTool(['e2fsck', '-fn', dev]); // the edits left a consistent filesystem
  await rm(raw);
  return { text: stdout, exists: /Type:/.test(st) };
}

interface Case {
  plugin: TargetPlugin; target: string; params?: Record<string, unknown>; config?: Record<string, unknown>;
  format: string; qemuFormat: string; cloudType: string | null; datasource?: string;
}
const cases: Case[] = [
  { plugin: ec2Plugin, target: 'ec2', format: 'raw', qemuFormat: 'raw', cloudType: 'ec2', datasource: 'Ec2, None' },
  { plugin: openstackPlugin, target: 'openstack-kvm', format: 'qcow2', qemuFormat: 'qcow2', cloudType: 'openstack-kvm', datasource: 'OpenStack, ConfigDrive, None' },
  { plugin: openstackPlugin, target: 'openstack-kvm', config: { openstack_image_format: 'raw' }, format: 'raw', qemuFormat: 'raw', cloudType: 'openstack-kvm' },
  { plugin: rhevmPlugin, target: 'rhevm', format: 'qcow2', qemuFormat: 'qcow2', cloudType: 'rhevm' },
  { plugin: rhevmPlugin, target: 'rhevm', params: { rhevm_image_format: 'raw' }, config: { rhevm_image_format: 'qcow2' }, format: 'raw', qemuFormat: 'raw', cloudType: 'rhevm' },
  { plugin: vspherePlugin, target: 'vsphere', format: 'vmdk', qemuFormat: 'vmdk', cloudType: 'vsphere', datasource: 'VMware, OVF, None' },
  { plugin: vspherePlugin, target: 'vsphere', params: { vsphere_vmdk_format: 'standard' }, format: 'vmdk', qemuFormat: 'vmdk', cloudType: 'vsphere' },
  { plugin: hypervPlugin, target: 'hyperv', format: 'vhdx', qemuFormat: 'vhdx', cloudType: null },
  { plugin: hypervPlugin, target: 'hyperv', params: { hyperv_disk_format: 'vhd' }, format: 'vhd', qemuFormat: 'vpc', cloudType: null },
  { plugin: azurePlugin, target: 'azure', format: 'vhd', qemuFormat: 'vpc', cloudType: 'azure', datasource: 'Azure, None' },
  { plugin: virtualboxPlugin, target: 'virtualbox', format: 'vdi', qemuFormat: 'vdi', cloudType: null },
  // The fallback without FUSE: the edits go into a sparse copy of the base disk instead of an overlay.
  { plugin: openstackPlugin, target: 'openstack-kvm', config: { fuse_edits: false }, format: 'qcow2', qemuFormat: 'qcow2', cloudType: 'openstack-kvm', datasource: 'OpenStack, ConfigDrive, None' },
  { plugin: azurePlugin, target: 'azure', config: { fuse_edits: false }, format: 'vhd', qemuFormat: 'vpc', cloudType: 'azure', datasource: 'Azure, None' },
];

for (const [i, c] of cases.entries()) {
  test(`${c.target} ${JSON.stringify({ ...c.config, ...c.params })}: ${c.format} with${c.cloudType ? '' : 'out'} in-image changes`, async () => {
    const ctx = await makeTargetContext({
      root, target: c.target, outputName: `out-${i}.${c.format}`, parameters: c.params, config: c.config,
      base: { id: 'base', diskPath: disk.path, rootfsTarPath: null, template: null },
    });
    const result = await c.plugin.createTargetImage(ctx);
    assert.equal(result.format, c.format);
    const { stdout } = await runTool(['qemu-img', 'info', '--output=json', '-f', c.qemuFormat, ctx.outputPath]);
    assert.equal(JSON.parse(stdout)['virtual-size'], disk.sizeBytes);
    assert.equal(result.properties?.virtual_size, disk.sizeBytes);
    if (c.qemuFormat !== 'raw' && c.qemuFormat !== 'vpc') await runTool(['qemu-img', 'check', '-q', '-f', c.qemuFormat, ctx.outputPath]);
    const info = await readInImage(ctx.outputPath, c.qemuFormat, '/etc/sysconfig/cloud-info');
    const rules = await readInImage(ctx.outputPath, c.qemuFormat, '/etc/udev/rules.d/70-persistent-net.rules');
    if (c.cloudType) {
      assert.equal(info.text, `CLOUD_TYPE="${c.cloudType}"\n`);
      assert.equal(rules.exists, false, 'persistent net rules removed');
    } else {
      assert.equal(info.exists, false);
      assert.equal(rules.exists, true, 'image left untouched');
      await runTool(['qemu-img', 'compare', '-q', '-f', 'raw', '-F', c.qemuFormat, disk.path, ctx.outputPath]);
    }
    if (c.datasource) {
      const ds = await readInImage(ctx.outputPath, c.qemuFormat, '/etc/cloud/cloud.cfg.d/90_imagefactory_datasource.cfg');
      assert.match(ds.text, new RegExp(`datasource_list: \\[ ${c.datasource} \\]`));
    }
    assert.equal(ctx.progressSeen.at(-1)?.[0], 100);
    if (c.target !== 'ec2') {
      // qemu-img's own progress (-p) moves the conversion step, rising, up to its end (95).
      const converting = ctx.progressSeen.filter(([, a]) => a.startsWith('Converting to')).map(([p]) => p);
      assert.ok(new Set(converting).size >= 3, `conversion progress: ${converting}`);
      assert.deepEqual(converting, [...converting].sort((x, y) => x - y));
      assert.equal(converting.at(-1), 95);
    }
    assert.equal(await sha(disk.path), baseHash, 'the base image is never modified');
  });
}

test('ec2 with ec2_flatten=true: the root filesystem alone', async () => {
  const ctx = await makeTargetContext({
    root, target: 'ec2', outputName: 'flat.raw', parameters: { ec2_flatten: 'true' },
    base: { id: 'base', diskPath: disk.path, rootfsTarPath: null, template: null },
  });
  await ec2Plugin.createTargetImage(ctx);
  const { stdout } = await runTool(['debugfs', '-R', 'cat /etc/sysconfig/cloud-info', ctx.outputPath]);
  assert.equal(stdout, 'CLOUD_TYPE="ec2"\n');
  assert.ok((await stat(ctx.outputPath)).size < disk.sizeBytes);
  await runTool(['e2fsck', '-fn', ctx.outputPath]);
});

test('ec2_modify=false leaves the image content as the base', async () => {
  const ctx = await makeTargetContext({
    root, target: 'ec2', outputName: 'nomod.raw', parameters: { ec2_modify: false },
    base: { id: 'base', diskPath: disk.path, rootfsTarPath: null, template: null },
  });
  await ec2Plugin.createTargetImage(ctx);
  assert.equal(await sha(ctx.outputPath), baseHash);
});

test('gce: tar.gz with disk.raw carrying the GCE changes', async () => {
  const ctx = await makeTargetContext({
    root, target: 'gce', outputName: 'gce.tar.gz', base: { id: 'base', diskPath: disk.path, rootfsTarPath: null, template: null },
  });
  const result = await gcePlugin.createTargetImage(ctx);
  assert.equal(result.format, 'tar.gz');
  const x = await mkdtemp(join(root, 'gcex-'));
  await runTool(['tar', '-xzf', ctx.outputPath, '-C', x]);
  const { stdout } = await runTool(['debugfs', '-R', 'cat /etc/cloud/cloud.cfg.d/90_imagefactory_datasource.cfg', `${join(x, 'disk.raw')}?offset=${disk.rootOffset}`]);
  assert.match(stdout, /datasource_list: \[ GCE, None \]/);
});

test('checkParameters reports bad enumeration values and accepts good ones', () => {
  assert.deepEqual(vspherePlugin.checkParameters!('vsphere', { vsphere_vmdk_format: 'streaming' }), []);
  assert.equal(vspherePlugin.checkParameters!('vsphere', { vsphere_vmdk_format: 'thin' }).length, 1);
  assert.equal(openstackPlugin.checkParameters!('openstack-kvm', { openstack_image_format: 'vmdk' }).length, 1);
  assert.equal(rhevmPlugin.checkParameters!('rhevm', { rhevm_image_format: 'cow' }).length, 1);
  assert.equal(ec2Plugin.checkParameters!('ec2', { ec2_upload: 'bundle' }).length, 1);
  assert.equal(gcePlugin.checkParameters!('gce', { gce_image_name: 'Bad_Name' }).length, 1);
  assert.deepEqual(gcePlugin.checkParameters!('gce', { gce_image_name: 'good-name-1' }), []);
});
