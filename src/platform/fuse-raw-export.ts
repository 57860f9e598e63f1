import { spawn } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../domain/errors.js';
import { dieWithDaemonPrefix, trackProcessGroup } from './process-groups.js';

export interface FuseRawExport {
  /** The regular file that now shows the image's guest-visible bytes. */
  path: string;
  /** Flushes, unmounts and stops qemu-storage-daemon. */
  close(): Promise<void>;
}

/**
 * Shows a disk image (e.g. a qcow2 overlay over a read-only base) as a raw, writable regular file,
 * through qemu-storage-daemon's FUSE export. Tools that need a raw file (debugfs, sfdisk) can then
 * edit the image in place: the writes land in the overlay, so nothing is copied. Fails with
 * TOOL_MISSING/TOOL_FAILED when qemu-storage-daemon or FUSE is unavailable (callers fall back).
 */
export async function exportAsRawFile(opts: { image: string; format: 'qcow2' | 'raw'; mountpoint: string; daemon?: string; timeoutMs?: number }): Promise<FuseRawExport> {
  await writeFile(opts.mountpoint, '');
  const argv = [
    '--blockdev', `driver=file,filename=${commaEscape(opts.image)},node-name=file0`,
    '--blockdev', `driver=${opts.format},file=file0,node-name=disk0`,
    '--export', `type=fuse,id=exp0,node-name=disk0,mountpoint=${commaEscape(opts.mountpoint)},writable=on`,
  ];
  // Its own process group, recorded, and it dies with the daemon: after a hard crash the next start
  // kills what is left and unmounts the dead export (see main/container.ts, cleanUpAfterCrash).
  const [cmd, ...prefixed] = [...dieWithDaemonPrefix(), opts.daemon ?? 'qemu-storage-daemon', ...argv];
  const child = spawn(cmd, prefixed, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const untrack = trackProcessGroup(child.pid);
  let stderr = '';
  child.stderr!.on('data', (c) => { stderr += c; });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => { untrack(); resolve(code); });
    child.on('error', () => { untrack(); resolve(-1); });
  });
  const spawnError = new Promise<NodeJS.ErrnoException>((resolve) => child.on('error', resolve));

  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    if (await isMounted(opts.mountpoint)) break;
    const early = await Promise.race([spawnError, exited, sleep(50).then(() => undefined)]);
    if (early !== undefined) {
      if (early !== null && typeof early === 'object' && early.code === 'ENOENT') throw new AppError('TOOL_MISSING', 'qemu-storage-daemon: command not found');
      throw new AppError('TOOL_FAILED', `qemu-storage-daemon could not export ${opts.image}: ${stderr.trim() || 'it exited'}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new AppError('TOOL_FAILED', `qemu-storage-daemon did not mount ${opts.mountpoint} in time: ${stderr.trim()}`);
    }
  }
  return {
    path: opts.mountpoint,
    async close() {
      child.kill('SIGTERM'); // qemu-storage-daemon flushes the image and unmounts on SIGTERM
      const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)]);
      if (code === 'timeout') {
        child.kill('SIGKILL');
        throw new AppError('TOOL_FAILED', `qemu-storage-daemon did not stop for ${opts.image}`);
      }
    },
  };
}

async function isMounted(path: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  if (!mounts.split('\n').some((l) => l.split(' ')[4] === path)) return false;
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** qemu's option syntax escapes a comma inside a value by doubling it. */
function commaEscape(v: string): string {
  return v.replace(/,/g, ',,');
}
