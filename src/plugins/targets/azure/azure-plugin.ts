import type { TargetPlugin } from '../../sdk/index.js';
import { convertToVhd } from '../../formats/vhd.js';
import { cloudPluginInfo, DISK_TOOLS } from '../shared/plugin-info.js';
import { buildDiskTarget, convertRequestBase } from '../shared/disk-target.js';

/**
 * Microsoft Azure (new; Image Factory issue #453): Azure only accepts fixed VHDs whose virtual size
 * is a whole number of MiB, with the exact size kept (force_size) rather than CHS-rounded.
 */
export const azurePlugin: TargetPlugin = {
  id: 'Azure',
  info: cloudPluginInfo(['azure'], 'Microsoft Azure cloud plugin: fixed VHD images, size rounded up to 1 MiB'),
  requiredTools: [...DISK_TOOLS],
  targets: [{
    name: 'azure',
    description: 'Microsoft Azure: fixed VHD (virtual size a multiple of 1 MiB)',
    formats: ['vhd'],
    parameters: [],
  }],
  checkParameters: () => [],
  async createTargetImage(ctx) {
    return buildDiskTarget(ctx, {
      cloudEdits: { cloudType: 'azure', cloudInitDatasources: ['Azure', 'None'] },
      label: 'fixed VHD', format: 'vhd', qemuFormat: 'vpc',
      convert: (req) => convertToVhd({ ...convertRequestBase(ctx), ...req, options: { subformat: 'fixed' } }),
    });
  },
};
