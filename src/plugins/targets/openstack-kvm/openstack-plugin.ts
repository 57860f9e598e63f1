import type { ParameterSpec, TargetPlugin } from '../../sdk/index.js';
import { convertToQcow2, QCOW2_COMPRESSION_TYPES } from '../../formats/qcow2.js';
import { cloudPluginInfo, DISK_TOOLS } from '../shared/plugin-info.js';
import { boolParam, checkEnumParameters, paramOrConfig } from '../shared/parameters.js';
import { buildDiskTarget, convertRequestBase } from '../shared/disk-target.js';

const PARAMETERS: readonly ParameterSpec[] = [
  { name: 'openstack_image_format', description: 'Disk format (parameter, else the daemon config key of the same name)', default: 'qcow2', values: ['qcow2', 'raw'] },
  { name: 'openstack_qcow2_compressed', description: 'Compress the qcow2 clusters', default: true, values: ['true', 'false'] },
  {
    name: 'openstack_qcow2_compression',
    description: 'qcow2 compression: zlib (readable everywhere) or zstd (much faster; needs qemu >= 5.1 on the compute hosts)',
    default: 'zlib', values: QCOW2_COMPRESSION_TYPES,
  },
];

export const openstackPlugin: TargetPlugin = {
  id: 'OpenStack',
  info: cloudPluginInfo(['openstack-kvm'], 'OpenStack (KVM) cloud plugin: compressed qcow2 or raw images for Glance'),
  requiredTools: [...DISK_TOOLS],
  targets: [{
    name: 'openstack-kvm',
    description: 'OpenStack with KVM compute: qcow2 (compat 1.1) or raw',
    formats: ['qcow2', 'raw'],
    parameters: PARAMETERS,
  }],
  checkParameters: (_t, params) => checkEnumParameters(PARAMETERS, params),
  async createTargetImage(ctx) {
    const format = paramOrConfig(ctx.parameters, ctx.config, 'openstack_image_format', 'qcow2');
    const compressed = boolParam(ctx.parameters, 'openstack_qcow2_compressed', true);
    const compression = ctx.parameters.openstack_qcow2_compression === 'zstd' ? 'zstd' : 'zlib';
    const cloudEdits = { cloudType: 'openstack-kvm', cloudInitDatasources: ['OpenStack', 'ConfigDrive', 'None'] };
    if (format === 'raw') {
      return buildDiskTarget(ctx, { cloudEdits, label: 'raw', format: 'raw', qemuFormat: 'raw', convert: null });
    }
    return buildDiskTarget(ctx, {
      cloudEdits,
      label: compressed ? `compressed qcow2 (${compression})` : 'qcow2',
      format: 'qcow2',
      qemuFormat: 'qcow2',
      properties: { qcow2_compressed: compressed, ...(compressed ? { qcow2_compression: compression } : {}) },
      convert: (req) => convertToQcow2({ ...convertRequestBase(ctx), ...req, options: { compressed, compression } }),
    });
  },
};
