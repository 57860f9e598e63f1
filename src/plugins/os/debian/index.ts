/** The Debian/Ubuntu OS plugin: installs Debian or Ubuntu from a package archive into a bootable disk. */
import type { OsPlugin } from '../../sdk/os-plugin.js';
import { checkDebianTemplate } from './check-template.js';
import { createDebianBaseImage } from './create-base-image.js';
import { DISK_ASSEMBLY_TOOLS } from '../shared/assemble-disk.js';

export const debianOsPlugin: OsPlugin = {
  id: 'Debian',
  info: {
    type: 'os',
    targets: [['Debian', null, null], ['Ubuntu', null, null]],
    description: 'Debian and Ubuntu from a package archive (mmdebstrap), on a GPT disk that boots with BIOS and UEFI (GRUB)',
    maintainer: { name: 'Image Factory', email: 'imagefactory@localhost', url: 'https://github.com/redhat-imaging/imagefactory' },
    version: '1.0',
    license: 'Apache-2.0',
  },
  requiredTools: [
    { command: 'mmdebstrap', debianPackage: 'mmdebstrap' },
    { command: 'chroot', debianPackage: 'coreutils' },
    { command: 'mount', debianPackage: 'mount' },
    { command: 'dpkg-query', debianPackage: 'dpkg' },
    ...DISK_ASSEMBLY_TOOLS,
  ],
  check: checkDebianTemplate,
  createBaseImage: createDebianBaseImage,
};
