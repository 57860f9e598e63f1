/**
 * The initramfs is generated once, not once per request. Installing a kernel with initramfs-tools
 * generates it twice (the kernel's postinst hook runs `update-initramfs -c`, then initramfs-tools'
 * own trigger `update-initramfs -u`), and template packages with initramfs hooks ask again. Like
 * mkosi, the bootstrap diverts update-initramfs (dpkg-divert, so the package's real tool lands
 * beside it) to a stub that only records the request. Right after the bootstrap the initramfs is
 * built once, so the base layer holds it; after the template's packages it is rebuilt only if one
 * of them (or a precommand) asked for it; then the real tool is put back.
 */
import type { Exec } from '../../../sdk/exec.js';
import { withChroot, type ChrootSession } from '../../shared/chroot-session.js';

const TOOL = '/usr/sbin/update-initramfs';
const REAL = `${TOOL}.imagefactory-real`;
/** Inside the image: set by the stub when something asked for an initramfs update. */
export const INITRAMFS_REQUEST_MARKER = '/var/lib/imagefactory/initramfs-requested';

const STUB = [
  '#!/bin/sh',
  '# imagefactory: update-initramfs runs once after the packages are installed; this records the request',
  `mkdir -p ${INITRAMFS_REQUEST_MARKER.replace(/\/[^/]+$/, '')} && : > ${INITRAMFS_REQUEST_MARKER}`,
  'exit 0',
].join('\\n');

/** mmdebstrap --essential-hook (fixed text, $1 = the tree): runs before the kernel is unpacked. */
export const INITRAMFS_DIVERSION_HOOK = [
  `chroot "$1" dpkg-divert --quiet --local --rename --divert ${REAL} --add ${TOOL}`,
  `printf '${STUB}\\n' > "$1${TOOL}"`,
  `chmod 755 "$1${TOOL}"`,
].join(' && ');

/**
 * Fixed script run in the image: an initramfs for each kernel that has none, and a fresh one for
 * every kernel if the stub recorded a request; with `restore`, the real tool is put back.
 */
export function initramfsArgv(restore: boolean): string[] {
  const script = [
    'set -e',
    `real=${REAL}`,
    `[ -x "$real" ] || real=${TOOL}`,
    `[ -x "$real" ] || exit 0`,
    'for k in /boot/vmlinuz-*; do',
    '  [ -e "$k" ] || continue',
    '  v=${k#/boot/vmlinuz-}',
    '  if [ ! -e "/boot/initrd.img-$v" ]; then "$real" -c -k "$v"',
    `  elif [ -e ${INITRAMFS_REQUEST_MARKER} ]; then "$real" -u -k "$v"; fi`,
    'done',
    `rm -f ${INITRAMFS_REQUEST_MARKER}`,
    `rmdir --ignore-fail-on-non-empty ${INITRAMFS_REQUEST_MARKER.replace(/\/[^/]+$/, '')} 2>/dev/null || true`,
    ...(restore ? [
      `if dpkg-divert --list ${TOOL} | grep -q imagefactory; then`,
      `  rm -f ${TOOL}`,
      `  dpkg-divert --quiet --local --rename --divert ${REAL} --remove ${TOOL}`,
      'fi',
    ] : []),
  ].join('\n');
  return ['/bin/sh', '-c', script, restore ? 'imagefactory-initramfs-final' : 'imagefactory-initramfs'];
}

/** Right after mmdebstrap (the tree is still only the bootstrap): the one initramfs of the base. */
export async function initramfsAfterBootstrap(exec: Exec, root: string): Promise<void> {
  await withChroot(exec, root, (s) => s.run(initramfsArgv(false)).then(() => undefined));
}

/** After the template's packages: rebuilt only if requested; the real update-initramfs is put back. */
export async function finishInitramfs(s: ChrootSession): Promise<void> {
  await s.run(initramfsArgv(true));
}
