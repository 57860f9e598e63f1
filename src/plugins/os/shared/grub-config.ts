/**
 * GRUB configuration text. The BIOS core.img and the EFI standalone image both embed the same
 * early config, which finds the root filesystem by UUID and loads /boot/grub/grub.cfg from it, so
 * one grub.cfg serves both boot modes. The OS plugin names the kernel and initrd paths (Debian
 * uses its /vmlinuz and /initrd.img symlinks, so kernel upgrades keep booting without a grub package).
 */

/** GRUB modules baked into both images (the image itself has no /boot/grub/<platform> modules). */
export const GRUB_MODULES = [
  'part_gpt', 'part_msdos', 'ext2', 'fat', 'search', 'search_fs_uuid', 'search_label', 'linux', 'normal',
  'configfile', 'echo', 'serial', 'terminal', 'test', 'gzio', 'smbios', 'sleep',
] as const;
export const GRUB_BIOS_MODULES = [...GRUB_MODULES, 'biosdisk'] as const;
export const GRUB_EFI_MODULES = [...GRUB_MODULES, 'efi_gop'] as const;

export function earlyGrubConfig(rootFsUuid: string): string {
  return [
    `search --no-floppy --fs-uuid --set=root ${rootFsUuid}`,
    'set prefix=($root)/boot/grub',
    'configfile ($root)/boot/grub/grub.cfg',
    '',
  ].join('\n');
}

export interface GrubMenu {
  title: string;
  rootFsUuid: string;
  /** Paths inside the root filesystem. */
  kernelPath: string;
  initrdPath: string;
  /** Extra kernel parameters from the template (already checked for grub-script characters). */
  kernelParams: string;
}

/** Characters that would let a template's kernel parameters escape the grub.cfg linux line. */
const KERNELPARAM_FORBIDDEN = /[\r\n;$`\\{}|&<>]/;

/** A problem with the template's <kernelparam>, or null when it can go on the linux line. */
export function kernelParamProblem(kernelparam: string | null): string | null {
  return kernelparam && KERNELPARAM_FORBIDDEN.test(kernelparam)
    ? 'kernelparam may not contain newlines or any of ; $ ` \\ { } | & < >' : null;
}

export function kernelCommandLine(m: Pick<GrubMenu, 'rootFsUuid' | 'kernelParams'>): string {
  return [`root=UUID=${m.rootFsUuid}`, 'ro', 'console=tty0', 'console=ttyS0,115200n8', 'net.ifnames=0', m.kernelParams.trim()]
    .filter(Boolean).join(' ');
}

/**
 * grub.cfg with a serial console. A boot test asks for the self-test by passing the single SMBIOS
 * OEM string (type 11) "imagefactory.selftest"; byte 4 of that table is the string count, so with
 * one string `--get-string 4` returns it. Without it the image boots normally.
 */
export function grubConfig(m: GrubMenu): string {
  return `serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=1
set default=0
search --no-floppy --fs-uuid --set=root ${m.rootFsUuid}
set selftest=""
if smbios --type 11 --get-string 4 --set oemstring; then
  if [ "$oemstring" = "imagefactory.selftest" ]; then set selftest="imagefactory.selftest"; fi
fi
menuentry '${m.title.replace(/'/g, '')}' {
  linux ${m.kernelPath} ${kernelCommandLine(m)} $selftest
  initrd ${m.initrdPath}
}
`;
}
