/**
 * Lends the shared .deb cache to the image's apt while the template's packages are installed, by
 * bind-mounting it on /var/cache/apt/archives. Only when that path has no symlink in it (a
 * precommand could have planted one to redirect the mount onto the host), and only for the
 * duration of the install: template commands never see the shared cache.
 */
import { mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exec } from '../../../sdk/exec.js';
import { unmountAll } from '../../shared/chroot-session.js';

const ARCHIVES = 'var/cache/apt/archives';

export async function withPackageCache<T>(exec: Exec, root: string, cacheDir: string | null, fn: () => Promise<T>): Promise<T> {
  if (!cacheDir) return fn();
  const target = join(root, ARCHIVES);
  const realRoot = await realpath(root);
  const realTarget = await realpath(target).catch(() => null);
  if (realTarget !== join(realRoot, ARCHIVES)) return fn();
  await mkdir(join(cacheDir, 'partial'), { recursive: true });
  await exec(['mount', '--bind', cacheDir, target]);
  try {
    return await fn();
  } finally {
    await unmountAll([target]);
  }
}
