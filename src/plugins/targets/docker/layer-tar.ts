import type { Exec } from '../../sdk/index.js';

/** Tar member names compare without a leading "./" or "/" (mmdebstrap writes "./etc/fstab"). */
function normalise(name: string): string {
  return name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
}

/** Members of `names` that an exclude list removes: exact paths, and everything below an excluded directory. */
export function excludedMembers(names: readonly string[], excludes: readonly string[]): string[] {
  const ex = excludes.map(normalise).filter(Boolean);
  return names.filter((n) => {
    const m = normalise(n);
    return ex.some((e) => m === e || m.startsWith(`${e}/`));
  });
}

/**
 * The layer tar: the base image's rootfs tar without the excluded paths. Returns the input itself
 * when nothing matches (no copy); otherwise a copy with `tar --delete` applied to the listed members.
 */
export async function filteredLayerTar(exec: Exec, rootfsTar: string, excludes: readonly string[], scratch: string, log: (l: string) => void): Promise<string> {
  if (excludes.length === 0) return rootfsTar;
  const { stdout } = await exec(['tar', '-tf', rootfsTar], { onLine: () => {}, maxStdoutBytes: 256 * 1024 * 1024 });
  const drop = excludedMembers(stdout.split('\n').filter(Boolean), excludes);
  if (drop.length === 0) {
    log(`tar_excludes: none of ${excludes.join(', ')} is in the root filesystem`);
    return rootfsTar;
  }
  log(`tar_excludes: leaving out ${drop.length} member(s): ${drop.slice(0, 10).join(', ')}${drop.length > 10 ? ' ...' : ''}`);
  await exec(['cp', '--sparse=always', rootfsTar, scratch]);
  // --no-recursion: every member is named explicitly, so a directory name must not swallow its children.
  await exec(['tar', '--delete', '--no-recursion', '-f', scratch, '--', ...drop]);
  return scratch;
}
