import type { ParameterSpec, TargetPlugin } from '../../sdk/index.js';
import { convertToVmdk } from '../../formats/vmdk.js';
import { cloudPluginInfo, DISK_TOOLS } from '../shared/plugin-info.js';
import { checkEnumParameters, stringParam } from '../shared/parameters.js';
import { buildDiskTarget, convertRequestBase } from '../shared/disk-target.js';

const PARAMETERS: readonly ParameterSpec[] = [
  {
    name: 'vsphere_vmdk_format',
    description: 'streaming: streamOptimized VMDK (compressed, what OVAs carry); standard: monolithic sparse VMDK',
    default: 'streaming', values: ['streaming', 'standard'],
  },
];

export const vspherePlugin: TargetPlugin = {
  id: 'vSphere',
  info: cloudPluginInfo(['vsphere'], 'VMware vSphere cloud plugin: VMDK images (LSI Logic adapter)'),
  requiredTools: [...DISK_TOOLS],
  targets: [{
    name: 'vsphere',
    description: 'VMware vSphere: VMDK (streamOptimized or monolithic sparse)',
    formats: ['vmdk'],
    parameters: PARAMETERS,
  }],
  checkParameters: (_t, params) => checkEnumParameters(PARAMETERS, params),
  async createTargetImage(ctx) {
    const standard = stringParam(ctx.parameters, 'vsphere_vmdk_format') === 'standard';
    const subformat = standard ? 'monolithicSparse' : 'streamOptimized';
    return buildDiskTarget(ctx, {
      cloudEdits: { cloudType: 'vsphere', cloudInitDatasources: ['VMware', 'OVF', 'None'] },
      label: `VMDK (${subformat})`, format: 'vmdk', qemuFormat: 'vmdk',
      properties: { vmdk_subformat: subformat },
      convert: (req) => convertToVmdk({ ...convertRequestBase(ctx), ...req, options: { subformat } }),
    });
  },
};
