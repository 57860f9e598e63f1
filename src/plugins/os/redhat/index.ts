/** The Red Hat family OS plugin: Fedora, RHEL and CentOS Stream from an rpm repository with dnf. */
import type { OsPlugin } from '../../sdk/os-plugin.js';
import { checkRedHatTemplate } from './check-template.js';
import { createRedHatBaseImage } from './create-base-image.js';
import { DISK_ASSEMBLY_TOOLS } from '../shared/assemble-disk.js';
import { CLAIMED_NAMES } from './releases.js';

export const redhatOsPlugin: OsPlugin = {
  id: 'RedHat',
  info: {
    type: 'os',
    targets: CLAIMED_NAMES.map((name) => [name, null, null]),
    description: 'Fedora, RHEL and CentOS Stream from an rpm repository (dnf --installroot), on a GPT disk that boots with BIOS and UEFI (GRUB) when a kernel is installed',
    maintainer: { name: 'Image Factory', email: 'imagefactory@localhost', url: 'https://github.com/redhat-imaging/imagefactory' },
    version: '1.0',
    license: 'Apache-2.0',
  },
  requiredTools: [
    { command: 'dnf', debianPackage: 'dnf' },
    { command: 'rpm', debianPackage: 'rpm' },
    { command: 'openssl', debianPackage: 'openssl' },
    { command: 'chroot', debianPackage: 'coreutils' },
    { command: 'mount', debianPackage: 'mount' },
    { command: 'mknod', debianPackage: 'coreutils' },
    ...DISK_ASSEMBLY_TOOLS,
  ],
  check: checkRedHatTemplate,
  createBaseImage: createRedHatBaseImage,
};
