/**
 * Runs template-supplied work inside the image tree with chroot. The chroot gets its own proc,
 * sysfs and a private devpts instance, but never a bind of the host's /dev: mmdebstrap already
 * created the device nodes in the tree, and a stray host /dev bind would make removing the tree
 * dangerous. Services are kept from starting (policy-rc.d); DNS uses the resolv.conf mmdebstrap
 * copied from the host (finalize-image removes it).
 */
import { readFile, writeFile, chmod, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exec, ExecOptions, ExecResult } from '../../../sdk/exec.js';
import { AppError } from '../../../../domain/errors.js';
import { runTool } from '../../../../platform/exec.js';

export interface ChrootSession {
  root: string;
  /** Runs argv inside the image: `chroot ROOT argv...` with a clean, image-side environment. */
  run(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}

const CHROOT_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  DEBIAN_FRONTEND: 'noninteractive',
  LC_ALL: 'C.UTF-8',
  HOME: '/root',
};

const MOUNTS: { target: string; argv: (dir: string) => string[] }[] = [
  { target: 'proc', argv: (d) => ['mount', '-t', 'proc', 'proc', d] },
  { target: 'sys', argv: (d) => ['mount', '-t', 'sysfs', '-o', 'ro', 'sysfs', d] },
  { target: 'dev/pts', argv: (d) => ['mount', '-t', 'devpts', '-o', 'newinstance,ptmxmode=0666,mode=620', 'devpts', d] },
];

export async function withChroot<T>(exec: Exec, treeDir: string, fn: (s: ChrootSession) => Promise<T>): Promise<T> {
  // mountinfo lists real paths; compare against the same.
  const root = await realpath(treeDir);
  const mounted: string[] = [];
  const policy = join(root, 'usr/sbin/policy-rc.d');
  try {
    for (const m of MOUNTS) {
      const dir = join(root, m.target);
      await exec(m.argv(dir));
      mounted.push(dir);
    }
    await writeFile(policy, '#!/bin/sh\nexit 101\n');
    await chmod(policy, 0o755);
    const session: ChrootSession = {
      root,
      run: (argv, options = {}) => exec(['chroot', root, ...argv], { ...options, env: { ...CHROOT_ENV, ...options.env } }),
    };
    const result = await fn(session);
    // Removed through chroot so a symlink planted by a template command resolves inside the image.
    await session.run(['rm', '-f', '/usr/sbin/policy-rc.d']);
    return result;
  } finally {
    await unmountAll(mounted.reverse());
  }
}

/**
 * Unmounts with a runner that ignores the build's AbortSignal: after a cancel the mounts must
 * still go, or removing the tree would walk into them.
 */
export async function unmountAll(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    try {
      await runTool(['umount', dir]);
    } catch {
      // Busy (a daemon started by a template command): detach lazily so the tree can be removed.
      await runTool(['umount', '--lazy', dir]).catch(() => {});
    }
  }
  const left = await mountsUnder(dirs);
  if (left.length) throw new AppError('INTERNAL', `could not unmount ${left.join(', ')}`);
}

async function mountsUnder(dirs: string[]): Promise<string[]> {
  const points = new Set(await mountPoints());
  return dirs.filter((d) => points.has(d));
}

/** Current mount points (mountinfo field 5, octal escapes decoded). */
export async function mountPoints(): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').map((l) => l.split(' ')[4]).filter(Boolean)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

/** Unmounts everything below `root`, deepest first (leftovers of a killed mmdebstrap). */
export async function unmountBelow(treeDir: string): Promise<void> {
  const root = await realpath(treeDir).catch(() => null);
  if (!root) return;
  const below = (await mountPoints()).filter((p) => p.startsWith(`${root}/`)).sort((a, b) => b.length - a.length);
  await unmountAll(below);
}
