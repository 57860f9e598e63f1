import type { PluginInfo } from '../../sdk/index.js';

/** `.info` metadata of one of our cloud plugins (GET /imagefactory/plugins). */
export function cloudPluginInfo(targets: readonly string[], description: string): PluginInfo {
  return {
    type: 'cloud',
    targets: targets.map((t) => [t]),
    description,
    maintainer: { name: 'Image Factory (TypeScript)', email: 'imagefactory@localhost', url: 'https://github.com/redhat-imaging/imagefactory' },
    version: '1.0',
    license: 'Apache-2.0',
  };
}

/** Tools every disk target runs. */
export const DISK_TOOLS = [
  { command: 'qemu-img', debianPackage: 'qemu-utils' },
  { command: 'sfdisk', debianPackage: 'fdisk' },
  { command: 'debugfs', debianPackage: 'e2fsprogs' },
] as const;
