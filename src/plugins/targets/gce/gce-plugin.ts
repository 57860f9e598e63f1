import type { ParameterSpec, TargetPlugin } from '../../sdk/index.js';
import { convertToGceTar } from '../../formats/gce-tar.js';
import { cloudPluginInfo, DISK_TOOLS } from '../shared/plugin-info.js';
import { buildDiskTarget, convertRequestBase } from '../shared/disk-target.js';

const PARAMETERS: readonly ParameterSpec[] = [
  { name: 'gce_object_name', description: 'Push: Cloud Storage object name (default <target image id>.tar.gz)' },
  { name: 'gce_image_name', description: 'Push: image name (default the target image id)' },
  { name: 'gce_image_family', description: 'Push: image family' },
];

export const gcePlugin: TargetPlugin = {
  id: 'GCE',
  info: cloudPluginInfo(['gce'], 'Google Compute Engine cloud plugin: disk.raw in a gzipped sparse tar'),
  requiredTools: [...DISK_TOOLS, { command: 'tar', debianPackage: 'tar' }],
  targets: [{
    name: 'gce',
    description: 'Google Compute Engine: .tar.gz holding a sparse disk.raw',
    formats: ['tar.gz'],
    parameters: PARAMETERS,
  }],
  checkParameters: (_t, params) => {
    const name = params.gce_image_name;
    // GCE resource names: lowercase letter first, then lowercase letters, digits, hyphens; at most 63.
    return typeof name === 'string' && name !== '' && !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)
      ? [`Invalid value "${name}" for parameter gce_image_name: lowercase letters, digits and hyphens, starting with a letter, at most 63 characters`]
      : [];
  },
  async createTargetImage(ctx) {
    return buildDiskTarget(ctx, {
      cloudEdits: { cloudType: 'gce', cloudInitDatasources: ['GCE', 'None'] },
      label: 'GCE tar.gz', format: 'tar.gz', qemuFormat: null,
      convert: (req) => convertToGceTar({ ...convertRequestBase(ctx), ...req, options: {} }),
    });
  },
};
