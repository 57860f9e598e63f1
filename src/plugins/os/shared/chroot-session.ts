/**
 * Runs template-supplied work inside the image tree with chroot. The chroot gets its own proc,
 * sysfs and a private devpts instance, but never a bind of the host's /dev: a tree bootstrapped by
 * mmdebstrap already has device nodes, and a tree installed by dnf gets a private tmpfs /dev with
 * the few nodes package scriptlets and commands need. A stray host /dev bind would make removing
 * the tree dangerous. Mounts are undone even after a cancel.
 */
import { chmod, mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exec, ExecOptions, ExecResult } from '../../sdk/exec.js';
import { AppError } from '../../../domain/errors.js';
import { runTool } from '../../../platform/exec.js';

export interface ChrootSession {
  root: string;
  /** Runs argv inside the image: `chroot ROOT argv...` with a clean, image-side environment. */
  run(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}

export interface ChrootOptions {
  /** Extra environment inside the image (DEBIAN_FRONTEND...). */
  env?: Record<string, string>;
  /** Debian: keep package scripts from starting services (usr/sbin/policy-rc.d exits 101). */
  blockServices?: boolean;
  /** Mount a private tmpfs on /dev with null, zero, full, random, urandom, tty and ptmx. */
  devTmpfs?: boolean;
}

const BASE_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LC_ALL: 'C.UTF-8',
  HOME: '/root',
};

const DEV_NODES: [name: string, major: number, minor: number][] = [
  ['null', 1, 3], ['zero', 1, 5], ['full', 1, 7], ['random', 1, 8], ['urandom', 1, 9], ['tty', 5, 0],
];

export async function withChroot<T>(exec: Exec, treeDir: string, fn: (s: ChrootSession) => Promise<T>, options: ChrootOptions = {}): Promise<T> {
  // mountinfo lists real paths; compare against the same.
  const root = await realpath(treeDir);
  const mounted: string[] = [];
  const mount = async (target: string, argv: string[]) => {
    const dir = join(root, target);
    await mkdir(dir, { recursive: true });
    await exec([...argv, dir]);
    mounted.push(dir);
  };
  try {
    await mount('proc', ['mount', '-t', 'proc', 'proc']);
    await mount('sys', ['mount', '-t', 'sysfs', '-o', 'ro', 'sysfs']);
    if (options.devTmpfs) {
      await mount('dev', ['mount', '-t', 'tmpfs', '-o', 'mode=755,size=16m,nosuid,noexec', 'imagefactory-dev']);
      for (const [name, major, minor] of DEV_NODES) {
        await exec(['mknod', '-m', '666', join(root, 'dev', name), 'c', String(major), String(minor)]);
      }
      await exec(['ln', '-s', 'pts/ptmx', join(root, 'dev/ptmx')]);
      await exec(['ln', '-s', '/proc/self/fd', join(root, 'dev/fd')]);
    }
    await mount('dev/pts', ['mount', '-t', 'devpts', '-o', 'newinstance,ptmxmode=0666,mode=620', 'devpts']);
    if (options.blockServices) {
      const policy = join(root, 'usr/sbin/policy-rc.d');
      await writeFile(policy, '#!/bin/sh\nexit 101\n');
      await chmod(policy, 0o755);
    }
    const env = { ...BASE_ENV, ...options.env };
    const session: ChrootSession = {
      root,
      run: (argv, o = {}) => exec(['chroot', root, ...argv], { ...o, env: { ...env, ...o.env } }),
    };
    const result = await fn(session);
    // Removed through chroot so a symlink planted by a template command resolves inside the image.
    if (options.blockServices) await session.run(['rm', '-f', '/usr/sbin/policy-rc.d']);
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
  const points = new Set(await mountPoints());
  const left = dirs.filter((d) => points.has(d));
  if (left.length) throw new AppError('INTERNAL', `could not unmount ${left.join(', ')}`);
}

/** Current mount points (mountinfo field 5, octal escapes decoded). */
export async function mountPoints(): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').map((l) => l.split(' ')[4]).filter(Boolean)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

/** Unmounts everything below `treeDir`, deepest first (leftovers of a killed tool). */
export async function unmountBelow(treeDir: string): Promise<void> {
  const root = await realpath(treeDir).catch(() => null);
  if (!root) return;
  const below = (await mountPoints()).filter((p) => p.startsWith(`${root}/`)).sort((a, b) => b.length - a.length);
  await unmountAll(below);
}
