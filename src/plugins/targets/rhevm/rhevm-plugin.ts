import type { ParameterSpec, TargetPlugin } from '../../sdk/index.js';
import { convertToQcow2 } from '../../formats/qcow2.js';
import { cloudPluginInfo, DISK_TOOLS } from '../shared/plugin-info.js';
import { checkEnumParameters, paramOrConfig } from '../shared/parameters.js';
import { buildDiskTarget, convertRequestBase } from '../shared/disk-target.js';

const PARAMETERS: readonly ParameterSpec[] = [
  { name: 'rhevm_image_format', description: 'Disk format (parameter, else the daemon config key of the same name)', default: 'qcow2', values: ['qcow2', 'raw'] },
];

export const rhevmPlugin: TargetPlugin = {
  id: 'RHEVM',
  info: cloudPluginInfo(['rhevm'], 'Red Hat Enterprise Virtualization (oVirt) cloud plugin: qcow2 or raw images'),
  requiredTools: [...DISK_TOOLS],
  targets: [{
    name: 'rhevm',
    description: 'RHEV-M / oVirt: qcow2 (compat 1.1) or raw',
    formats: ['qcow2', 'raw'],
    parameters: PARAMETERS,
  }],
  checkParameters: (_t, params) => checkEnumParameters(PARAMETERS, params),
  async createTargetImage(ctx) {
    const format = paramOrConfig(ctx.parameters, ctx.config, 'rhevm_image_format', 'qcow2');
    const cloudEdits = { cloudType: 'rhevm', cloudInitDatasources: ['ConfigDrive', 'NoCloud', 'None'] };
    if (format === 'raw') return buildDiskTarget(ctx, { cloudEdits, label: 'raw', format: 'raw', qemuFormat: 'raw', convert: null });
    return buildDiskTarget(ctx, {
      cloudEdits, label: 'qcow2', format: 'qcow2', qemuFormat: 'qcow2',
      convert: (req) => convertToQcow2({ ...convertRequestBase(ctx), ...req, options: {} }),
    });
  },
};
