/**
 * Last changes inside the image after the template's work: drop non-persisted repositories, the
 * build host's resolv.conf (dhclient writes one at boot), SSH host keys made by package installs,
 * the install-time dpkg options,
 * downloaded packages and package lists. Done through chroot so paths resolve inside the image.
 */
import type { ChrootSession } from '../../shared/chroot-session.js';
import { MMDEBSTRAP_DPKG_CFG } from './bootstrap-rootfs.js';

export function finalizeScriptArgv(removePaths: readonly string[], keepResolvConf: boolean): string[] {
  // Fixed script; the paths (derived from repository names) are positional arguments.
  const script = [
    'set -e',
    'for p in "$@"; do rm -f -- "$p"; done',
    keepResolvConf ? ':' : 'rm -f /etc/resolv.conf',
    'rm -f /etc/ssh/ssh_host_*_key /etc/ssh/ssh_host_*_key.pub',
    // The install-time dpkg options (force-unsafe-io) are not for the running system.
    `rm -f ${MMDEBSTRAP_DPKG_CFG}`,
    'apt-get clean',
    'find /var/lib/apt/lists -mindepth 1 -maxdepth 1 -type f ! -name lock -delete',
  ].join('\n');
  return ['/bin/sh', '-c', script, 'imagefactory-finalize', ...removePaths];
}

export async function finalizeImage(s: ChrootSession, removePaths: readonly string[], keepResolvConf: boolean): Promise<void> {
  await s.run(finalizeScriptArgv(removePaths, keepResolvConf));
}
