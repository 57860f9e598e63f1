import type { ParameterSpec, TargetPlugin } from '../../sdk/index.js';
import { AppError } from '../../../domain/errors.js';
import { extractRawRegion } from '../../formats/raw-region.js';
import { cloudPluginInfo, DISK_TOOLS } from '../shared/plugin-info.js';
import { boolParam, checkEnumParameters } from '../shared/parameters.js';
import { buildDiskTarget, convertRequestBase } from '../shared/disk-target.js';
import { findExtRoot } from '../shared/root-filesystem.js';
import { EC2_PUSH_PARAMETERS } from '../../providers/ec2/ec2-parameters.js';

const PARAMETERS: readonly ParameterSpec[] = [
  {
    name: 'ec2_flatten',
    description: 'true: the root filesystem alone (paravirtual/pvgrub AMIs); false: the whole partitioned disk (HVM). '
      + 'Defaults to false here: EC2 no longer offers paravirtual instance types.',
    default: false, values: ['true', 'false'],
  },
  { name: 'ec2_modify', description: 'Apply the EC2 changes inside the image (cloud-info, net rules, cloud-init Ec2 datasource)', default: true, values: ['true', 'false'] },
  { name: 'skip_ec2_modifications', description: 'Same as ec2_modify=false', default: false, values: ['true', 'false'] },
  // The push (provider image) parameters, read by the ec2 provider plugin; listed here so
  // GET /imagefactory/targets/ec2 documents them with the target's own.
  ...EC2_PUSH_PARAMETERS,
];

export const ec2Plugin: TargetPlugin = {
  id: 'EC2',
  info: cloudPluginInfo(['ec2'], 'Amazon EC2 cloud plugin: sparse raw disk images with EC2 changes applied'),
  requiredTools: [...DISK_TOOLS],
  targets: [{
    name: 'ec2',
    description: 'Amazon EC2: raw disk (sparse)',
    formats: ['raw'],
    parameters: PARAMETERS,
  }],
  checkParameters(_target, params) {
    return checkEnumParameters(PARAMETERS, params);
  },
  async createTargetImage(ctx) {
    const modify = boolParam(ctx.parameters, 'ec2_modify', true) && !boolParam(ctx.parameters, 'skip_ec2_modifications', false);
    const flatten = boolParam(ctx.parameters, 'ec2_flatten', false);
    return buildDiskTarget(ctx, {
      cloudEdits: modify ? { cloudType: 'ec2', cloudInitDatasources: ['Ec2', 'None'] } : undefined,
      label: flatten ? 'raw root filesystem' : 'raw',
      format: 'raw',
      qemuFormat: 'raw',
      properties: { ec2_flatten: flatten },
      // Extracting the root partition reads the partition table of a raw disk.
      needsRawInput: flatten,
      convert: flatten
        ? async ({ input, output }) => {
          const root = await findExtRoot(ctx.exec, input);
          if (!root || root.size === null) {
            throw new AppError('BUILD_FAILED', 'ec2_flatten: no partitioned ext2/3/4 root filesystem to extract');
          }
          return extractRawRegion({ ...convertRequestBase(ctx), input, output, options: { offset: root.offset, size: root.size } });
        }
        : null,
    });
  },
};
