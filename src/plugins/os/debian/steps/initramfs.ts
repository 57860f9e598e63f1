/**
 * The initramfs is generated exactly once per image. Installing a kernel with initramfs-tools
 * generates it twice (the kernel's postinst hook runs `update-initramfs -c`, then initramfs-tools'
 * own trigger runs `update-initramfs -u`), and every template package with initramfs hooks asks
 * again. Like mkosi, the bootstrap diverts update-initramfs to a no-op (dpkg-divert, so the real
 * one from the package lands beside it), and after the template's packages are in, the diversion
 * is removed and the initramfs built once for each installed kernel.
 */
import type { ChrootSession } from '../../shared/chroot-session.js';

const TOOL = '/usr/sbin/update-initramfs';
const DIVERTED = `${TOOL}.imagefactory-real`;

/** mmdebstrap --essential-hook (fixed text, $1 = the tree): runs before the kernel is unpacked. */
export const INITRAMFS_DIVERSION_HOOK = [
  `chroot "$1" dpkg-divert --quiet --local --rename --divert ${DIVERTED} --add ${TOOL}`,
  `printf '#!/bin/sh\\n# imagefactory: the initramfs is built once, after the template packages\\nexit 0\\n' > "$1${TOOL}"`,
  `chmod 755 "$1${TOOL}"`,
].join(' && ');

/** Fixed script run in the image: restore the real tool, then one initramfs per kernel. */
export function buildInitramfsArgv(): string[] {
  const script = [
    'set -e',
    `if dpkg-divert --list ${TOOL} | grep -q imagefactory; then`,
    `  rm -f ${TOOL}`,
    `  dpkg-divert --quiet --local --rename --divert ${DIVERTED} --remove ${TOOL}`,
    'fi',
    `[ -x ${TOOL} ] || exit 0`,
    'for k in /boot/vmlinuz-*; do',
    '  [ -e "$k" ] || continue',
    '  v=${k#/boot/vmlinuz-}',
    '  if [ -e "/boot/initrd.img-$v" ]; then update-initramfs -u -k "$v"; else update-initramfs -c -k "$v"; fi',
    'done',
  ].join('\n');
  return ['/bin/sh', '-c', script, 'imagefactory-initramfs'];
}

export async function buildInitramfsOnce(s: ChrootSession): Promise<void> {
  await s.run(buildInitramfsArgv());
}
