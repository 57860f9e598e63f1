import type { TargetPlugin } from '../../sdk/index.js';
import { convertToVdi } from '../../formats/vdi.js';
import { cloudPluginInfo, DISK_TOOLS } from '../shared/plugin-info.js';
import { buildDiskTarget, convertRequestBase } from '../shared/disk-target.js';

/** Oracle VirtualBox (new): a dynamic VDI; a local hypervisor, so no cloud changes inside the image. */
export const virtualboxPlugin: TargetPlugin = {
  id: 'VirtualBox',
  info: cloudPluginInfo(['virtualbox'], 'Oracle VirtualBox plugin: dynamic VDI images'),
  requiredTools: [...DISK_TOOLS],
  targets: [{
    name: 'virtualbox',
    description: 'Oracle VirtualBox: dynamic VDI',
    formats: ['vdi'],
    parameters: [],
  }],
  checkParameters: () => [],
  async createTargetImage(ctx) {
    return buildDiskTarget(ctx, {
      label: 'VDI', format: 'vdi', qemuFormat: 'vdi',
      convert: (req) => convertToVdi({ ...convertRequestBase(ctx), ...req, options: {} }),
    });
  },
};
