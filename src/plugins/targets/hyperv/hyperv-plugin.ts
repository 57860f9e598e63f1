import type { ParameterSpec, TargetPlugin } from '../../sdk/index.js';
import { convertToVhdx } from '../../formats/vhdx.js';
import { convertToVhd } from '../../formats/vhd.js';
import { cloudPluginInfo, DISK_TOOLS } from '../shared/plugin-info.js';
import { checkEnumParameters, stringParam } from '../shared/parameters.js';
import { buildDiskTarget, convertRequestBase } from '../shared/disk-target.js';

const PARAMETERS: readonly ParameterSpec[] = [
  {
    name: 'hyperv_disk_format',
    description: 'vhdx: dynamic VHDX (Hyper-V 2012 and later); vhd: dynamic VHD (what the original plugin produced)',
    default: 'vhdx', values: ['vhdx', 'vhd'],
  },
];

/** Hyper-V images; like the original plugin, no changes are made inside the image. */
export const hypervPlugin: TargetPlugin = {
  id: 'HyperV',
  info: cloudPluginInfo(['hyperv'], 'Microsoft Hyper-V cloud plugin: VHDX or VHD images'),
  requiredTools: [...DISK_TOOLS],
  targets: [{
    name: 'hyperv',
    description: 'Microsoft Hyper-V: dynamic VHDX (or VHD)',
    formats: ['vhdx', 'vhd'],
    parameters: PARAMETERS,
  }],
  checkParameters: (_t, params) => checkEnumParameters(PARAMETERS, params),
  async createTargetImage(ctx) {
    if (stringParam(ctx.parameters, 'hyperv_disk_format') === 'vhd') {
      return buildDiskTarget(ctx, {
        label: 'dynamic VHD', format: 'vhd', qemuFormat: 'vpc',
        convert: (req) => convertToVhd({ ...convertRequestBase(ctx), ...req, options: { subformat: 'dynamic' } }),
      });
    }
    return buildDiskTarget(ctx, {
      label: 'VHDX', format: 'vhdx', qemuFormat: 'vhdx',
      convert: (req) => convertToVhdx({ ...convertRequestBase(ctx), ...req, options: {} }),
    });
  },
};
