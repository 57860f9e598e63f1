/**
 * Last changes inside the image after the template's work: drop non-persisted repository files,
 * the build host's resolv.conf, SSH host keys made by package scripts (sshd-keygen makes fresh ones
 * on first boot) and dnf's caches. Done through chroot so paths resolve inside the image.
 */
import type { ChrootSession } from '../../shared/chroot-session.js';

export function finalizeScriptArgv(removePaths: readonly string[], removeResolvConf: boolean): string[] {
  // Fixed script; the paths (derived from repository names) are positional arguments.
  const script = [
    'set -e',
    'for p in "$@"; do rm -f -- "$p"; done',
    removeResolvConf ? 'rm -f /etc/resolv.conf' : ':',
    'rm -f /etc/ssh/ssh_host_*_key /etc/ssh/ssh_host_*_key.pub',
    'rm -rf /var/cache/dnf /var/cache/yum',
  ].join('\n');
  return ['/bin/sh', '-c', script, 'imagefactory-finalize', ...removePaths];
}

export async function finalizeImage(s: ChrootSession, removePaths: readonly string[], removeResolvConf: boolean): Promise<void> {
  await s.run(finalizeScriptArgv(removePaths, removeResolvConf));
}
