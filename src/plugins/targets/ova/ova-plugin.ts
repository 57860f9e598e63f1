import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { TargetImageContext, TargetImageResult, TargetPlugin } from '../../sdk/index.js';
import { AppError } from '../../../domain/errors.js';
import { packOva } from '../../formats/ova.js';
import { writeTarPackage } from '../../formats/tar-package.js';
import { cloudPluginInfo } from '../shared/plugin-info.js';
import { checkEnumParameters, checkPositiveIntegers } from '../shared/parameters.js';
import { OVA_PARAMETERS, ovaSettings, type OvaSettings } from './ova-parameters.js';
import { vmOvfDescriptor } from './vm-ovf.js';
import { rhevmOvfDescriptor, rhevmVolumeMeta } from './rhevm-ovf.js';
import { fusionVmx, vagrantfile, vagrantMetadata } from './vagrant.js';
import { hypervVmConfig } from './hyperv-config.js';
import { diskFacts, reencode, sourceDiskFormat, vmdkCreateType, type SourceDiskFormat } from './source-disk.js';

const SOURCE_TARGETS = ['rhevm', 'vsphere', 'hyperv'] as const;

interface Source { path: string; format: SourceDiskFormat; virtualSize: number; fileSize: number }

async function vmdkAs(ctx: TargetImageContext, src: Source, subformat: 'streamOptimized' | 'monolithicSparse'): Promise<Source> {
  if ((await vmdkCreateType(src.path)) === subformat) return src;
  ctx.progress(20, `Converting the disk to ${subformat} VMDK`);
  const path = join(ctx.workDir, `disk-${subformat}.vmdk`);
  await reencode(ctx.exec, src.path, 'vmdk', path, { format: 'vmdk', subformat });
  return { path, format: 'vmdk', ...(await diskFacts(ctx.exec, path, 'vmdk')) };
}

async function qcow2Of(ctx: TargetImageContext, src: Source): Promise<Source> {
  if (src.format === 'qcow2') return src;
  ctx.progress(20, 'Converting the disk to qcow2');
  const path = join(ctx.workDir, 'box.img');
  await reencode(ctx.exec, src.path, src.format, path, { format: 'qcow2' });
  return { path, format: 'qcow2', ...(await diskFacts(ctx.exec, path, 'qcow2')) };
}

type Packager = (ctx: TargetImageContext, src: Source, s: OvaSettings) => Promise<TargetImageResult>;
const common = (ctx: TargetImageContext) => ({ output: ctx.outputPath, exec: ctx.exec, log: ctx.log });

const packagers: Record<string, Packager> = {
  async rhevm(ctx, src, s) {
    const [imageUuid, volumeUuid, templateUuid] = [randomUUID(), randomUUID(), randomUUID()];
    const r = {
      name: s.name, description: s.p('rhevm_description')!, cpus: s.cpus, memoryMb: s.memoryMb,
      displayType: s.p('rhevm_default_display_type')!, osDescriptor: s.p('rhevm_os_descriptor')!,
      imageUuid, volumeUuid, templateUuid, fileSize: src.fileSize, virtualSize: src.virtualSize, qcow2: src.format === 'qcow2', created: new Date(),
    };
    await writeTarPackage({
      ...common(ctx), gzip: true,
      entries: [
        { name: `master/vms/${templateUuid}/${templateUuid}.ovf`, content: rhevmOvfDescriptor(r) },
        { name: `images/${imageUuid}/${volumeUuid}.meta`, content: rhevmVolumeMeta(r) },
        { name: `images/${imageUuid}/${volumeUuid}`, path: src.path },
      ],
    });
    return { format: 'tar.gz', properties: { ova_format: 'rhevm', rhevm_template_uuid: templateUuid, rhevm_image_uuid: imageUuid, rhevm_volume_uuid: volumeUuid } };
  },
  async 'vagrant-libvirt'(ctx, src, s) {
    const disk = await qcow2Of(ctx, src);
    await writeTarPackage({
      ...common(ctx), gzip: true,
      entries: [
        { name: 'metadata.json', content: vagrantMetadata('libvirt', { format: 'qcow2', virtual_size: Math.ceil(disk.virtualSize / 1024 ** 3) }) },
        { name: 'Vagrantfile', content: vagrantfile('libvirt', { cpus: s.cpus, memoryMb: s.memoryMb, syncDir: s.p('vagrant_sync_directory')! }) },
        { name: 'box.img', path: disk.path },
      ],
    });
    return { format: 'box', properties: { ova_format: 'vagrant-libvirt' } };
  },
  async vsphere(ctx, src, s) {
    const disk = await vmdkAs(ctx, src, 'streamOptimized');
    const xml = vmOvfDescriptor({
      name: s.name, cpus: s.cpus, memoryMb: s.memoryMb, disk: { href: 'disk.vmdk', fileSize: disk.fileSize, capacity: disk.virtualSize },
      virtualSystemType: s.p('vsphere_virtual_system_type')!, network: 'VM Network', scsiController: s.p('vsphere_scsi_controller_type')!,
      nic: s.p('vsphere_network_controller_type')!, osId: 80, vmwareOsType: s.p('vsphere_os_type'),
      cdrom: s.flag('vsphere_cdrom'), nestedVirt: s.flag('vsphere_nested_virt'),
      product: { name: s.p('vsphere_product_name'), vendor: s.p('vsphere_product_vendor_name'), version: s.p('vsphere_product_version') },
    });
    await packOva({ ...common(ctx), descriptor: { name: 'desc.ovf', xml }, files: [{ name: 'disk.vmdk', path: disk.path }] });
    return { format: 'ova', properties: { ova_format: 'vsphere' } };
  },
  async 'vagrant-virtualbox'(ctx, src, s) {
    const disk = await vmdkAs(ctx, src, 'streamOptimized');
    const xml = vmOvfDescriptor({
      name: s.name, cpus: s.cpus, memoryMb: s.memoryMb, disk: { href: 'box-disk1.vmdk', fileSize: disk.fileSize, capacity: disk.virtualSize },
      virtualSystemType: 'virtualbox-2.2', network: 'NAT', scsiController: 'lsilogic', nic: 'E1000', osId: 80, osDescription: 'RedHat_64',
    });
    await writeTarPackage({
      ...common(ctx),
      entries: [
        { name: 'box.ovf', content: xml },
        { name: 'box-disk1.vmdk', path: disk.path },
        { name: 'metadata.json', content: vagrantMetadata('virtualbox') },
        { name: 'Vagrantfile', content: vagrantfile('virtualbox', { cpus: s.cpus, memoryMb: s.memoryMb, syncDir: s.p('vagrant_sync_directory')! }) },
      ],
    });
    return { format: 'box', properties: { ova_format: 'vagrant-virtualbox' } };
  },
  async 'vagrant-vmware-fusion'(ctx, src, s) {
    const disk = await vmdkAs(ctx, src, 'monolithicSparse');
    const vmx = fusionVmx({
      name: s.name, cpus: s.cpus, memoryMb: s.memoryMb, disk: 'disk.vmdk', scsi: s.p('fusion_scsi_controller_type')!,
      nic: s.p('fusion_network_controller_type')!, nested: s.flag('fusion_nested_virt'),
    });
    await writeTarPackage({
      ...common(ctx), gzip: true,
      entries: [
        { name: 'metadata.json', content: vagrantMetadata('vmware_desktop') },
        { name: 'Vagrantfile', content: vagrantfile('vmware_desktop', { cpus: s.cpus, memoryMb: s.memoryMb, syncDir: s.p('vagrant_sync_directory')! }) },
        { name: 'box.vmx', content: vmx },
        { name: 'disk.vmdk', path: disk.path },
      ],
    });
    return { format: 'box', properties: { ova_format: 'vagrant-vmware-fusion' } };
  },
  hyperv: (ctx, src, s) => hypervPackage(ctx, src, s, false),
  'hyperv-vagrant': (ctx, src, s) => hypervPackage(ctx, src, s, true),
};

async function hypervPackage(ctx: TargetImageContext, src: Source, s: OvaSettings, vagrant: boolean): Promise<TargetImageResult> {
  const diskFile = src.format === 'vhdx' ? 'disk.vhdx' : 'disk.vhd';
  const id = randomUUID();
  await writeTarPackage({
    ...common(ctx), gzip: true,
    entries: [
      ...(vagrant ? [
        { name: 'metadata.json', content: vagrantMetadata('hyperv') },
        { name: 'Vagrantfile', content: vagrantfile('hyperv', { cpus: s.cpus, memoryMb: s.memoryMb, syncDir: s.p('vagrant_sync_directory')! }) },
      ] : []),
      { name: `Virtual Machines/${id.toUpperCase()}.xml`, content: hypervVmConfig({ id, name: s.name, cpus: s.cpus, memoryMb: s.memoryMb, diskFile }) },
      { name: `Virtual Hard Disks/${diskFile}`, path: src.path },
    ],
  });
  return { format: vagrant ? 'box' : 'tar.gz', properties: { ova_format: vagrant ? 'hyperv-vagrant' : 'hyperv' } };
}

/**
 * Packages an rhevm, vsphere or hyperv target image as an OVA / export package / Vagrant box.
 * Its input is ctx.sourceTargetImage (Image Factory passes that target image as the "base").
 */
export const ovaPlugin: TargetPlugin = {
  id: 'OVA',
  info: cloudPluginInfo(['ova', 'OVA'], 'OVA plugin: OVF packages and Vagrant boxes from rhevm, vsphere and hyperv target images'),
  requiredTools: [{ command: 'qemu-img', debianPackage: 'qemu-utils' }, { command: 'tar', debianPackage: 'tar' }],
  targets: ['ova', 'OVA'].map((name) => ({
    name,
    description: 'OVA / Vagrant box packaging of an rhevm, vsphere or hyperv target image',
    formats: ['ova', 'tar.gz', 'box'],
    parameters: OVA_PARAMETERS,
  })),
  checkParameters: (_t, params) => [
    ...checkEnumParameters(OVA_PARAMETERS, params),
    ...checkPositiveIntegers(['ovf_cpu_count', 'ovf_memory_mb'], params),
  ],
  async createTargetImage(ctx) {
    const source = ctx.sourceTargetImage;
    if (!source || !(SOURCE_TARGETS as readonly string[]).includes(source.target)) {
      throw new AppError('BUILD_FAILED', `The OVA target packages an rhevm, vsphere or hyperv target image; got ${source ? `a ${source.target} target image` : 'a base image'}`);
    }
    const problems = ovaPlugin.checkParameters!(ctx.target, ctx.parameters);
    if (problems.length) throw new AppError('REQUEST_INVALID', problems.join('; '));
    const s = ovaSettings(ctx.parameters, ctx.base.template?.name ?? `imagefactory-${source.id}`);
    const kind = s.p(`${source.target}_ova_format`)!;
    const packager = packagers[kind];
    if (!packager || !(OVA_PARAMETERS.find((p) => p.name === `${source.target}_ova_format`)!.values ?? []).includes(kind)) {
      throw new AppError('REQUEST_INVALID', `${source.target}_ova_format=${kind} is not a package for ${source.target} target images`);
    }
    ctx.progress(5, `Packaging the ${source.target} target image as ${kind}`);
    const format = await sourceDiskFormat(source.bodyPath);
    const src: Source = { path: source.bodyPath, format, ...(await diskFacts(ctx.exec, source.bodyPath, format)) };
    const result = await packager(ctx, src, s);
    ctx.progress(100, `${kind} package ready`);
    return { ...result, properties: { ...result.properties, source_target_image_id: source.id } };
  },
};
