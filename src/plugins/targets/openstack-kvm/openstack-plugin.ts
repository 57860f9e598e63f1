import type { ParameterSpec, TargetPlugin } from '../../sdk/index.js';
import { convertToQcow2, QCOW2_COMPRESSION_TYPES } from '../../formats/qcow2.js';
import { cloudPluginInfo, DISK_TOOLS } from '../shared/plugin-info.js';
import { boolParam, checkEnumParameters, paramOrConfig } from '../shared/parameters.js';
import { buildDiskTarget, convertRequestBase } from '../shared/disk-target.js';
import { checkGlanceProvider, deleteFromGlance, pushToGlance } from './glance-push.js';

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
    providers: [{
      id: 'glance',
      description: 'A Glance image service (XML element whose attributes carry the fields, or JSON)',
      providerFields: [
        { name: 'glance-host', description: 'Glance host', default: '127.0.0.1' },
        { name: 'glance-port', description: 'Glance port', default: 9292 },
        { name: 'name', description: 'Image name (default: the TDL name, or "ImageFactory created image - <id>")' },
        { name: 'container_format', description: 'Glance container format', default: 'bare' },
        { name: 'disk_format', description: 'Glance disk format (default: the target image format)' },
        { name: 'is_public', description: 'Public image' },
        { name: 'min_disk', description: 'Minimum disk (GB)' },
        { name: 'min_ram', description: 'Minimum RAM (MB)' },
      ],
      credentialFields: [
        { name: 'auth_url', description: 'Keystone URL' },
        { name: 'username', description: 'User name' },
        { name: 'password', description: 'Password' },
        { name: 'tenant', description: 'Tenant (project)' },
        { name: 'strategy', description: 'keystone (v3 password token; default with auth_url), token (pre-issued X-Auth-Token), trusted (identity headers for a Glance behind an authenticating proxy: username, tenant, roles), noauth (unauthenticated Glance)', values: ['keystone', 'token', 'trusted', 'noauth'] },
        { name: 'token', description: 'Pre-issued token' },
        { name: 'user_domain_name', description: 'Keystone user domain', default: 'Default' },
        { name: 'project_domain_name', description: 'Keystone project domain', default: 'Default' },
        { name: 'roles', description: 'Role for the trusted strategy', default: 'admin' },
      ],
    }],
  }],
  checkParameters: (_t, params) => checkEnumParameters(PARAMETERS, params),
  checkProvider: (_t, provider, credentials) => checkGlanceProvider(provider, credentials),
  push: pushToGlance,
  deleteFromProvider: deleteFromGlance,
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
      convert: ({ input, inputFormat, output }) => convertToQcow2({ ...convertRequestBase(ctx), input, inputFormat, output, options: { compressed, compression } }),
    });
  },
};
