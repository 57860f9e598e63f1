/**
 * Writes the image tree as ext4 straight into the root partition of the disk file
 * (`mkfs.ext4 -E offset= -d`): no loop device, no mount, ownership and modes kept.
 */
import type { Exec } from '../../sdk/exec.js';
import { AppError } from '../../../domain/errors.js';
import { SECTOR, type DiskLayout } from './disk-layout.js';

const MIB = 1024 * 1024;

export interface TreeUsage { bytes: number; inodes: number }

/**
 * Space ext4 needs for a tree: the data plus metadata (256-byte inodes, one per 16 KiB, ~1.6%),
 * the journal (up to 64 MiB at these sizes) and 10% slack for directories, extents and bitmaps.
 */
export function requiredRootFsBytes(u: TreeUsage, fsBytes: number): number {
  const inodeTables = (fsBytes / 16384) * 256;
  const journal = fsBytes >= 2048 * MIB ? 64 * MIB : fsBytes >= 512 * MIB ? 32 * MIB : 16 * MIB;
  return Math.ceil(u.bytes * 1.1 + u.inodes * 256 + inodeTables + journal);
}

export function mkfsArgv(diskPath: string, layout: DiskLayout, treeDir: string, uuid: string): string[] {
  return [
    'mkfs.ext4', '-q', '-F', '-L', 'rootfs', '-U', uuid,
    '-E', `offset=${layout.root.start * SECTOR}`,
    '-d', treeDir, diskPath, `${(layout.root.size * SECTOR) / 1024}k`,
  ];
}

export async function measureTree(exec: Exec, dir: string): Promise<TreeUsage> {
  const quiet = { onLine: () => {} };
  const bytes = await exec(['du', '-sx', '--block-size=1', dir], quiet);
  const inodes = await exec(['du', '-sx', '--inodes', dir], quiet);
  return { bytes: parseInt(bytes.stdout, 10), inodes: parseInt(inodes.stdout, 10) };
}

function tooSmall(needed: number, layout: DiskLayout): AppError {
  const rootMiB = Math.floor((layout.root.size * SECTOR) / MIB);
  const suggestGiB = Math.ceil((needed + (layout.diskBytes - layout.root.size * SECTOR)) / 1024 / MIB) + 1;
  return new AppError('BUILD_FAILED',
    `the disk is too small: the root filesystem needs about ${Math.ceil(needed / MIB)} MiB but the `
    + `${layout.diskBytes / MIB} MiB disk leaves ${rootMiB} MiB for it; ask for at least ${suggestGiB}G in <disk><size>`);
}

export async function makeRootFs(exec: Exec, diskPath: string, layout: DiskLayout, treeDir: string, uuid: string): Promise<TreeUsage> {
  const usage = await measureTree(exec, treeDir);
  const needed = requiredRootFsBytes(usage, layout.root.size * SECTOR);
  if (needed > layout.root.size * SECTOR) throw tooSmall(needed, layout);
  try {
    await exec(mkfsArgv(diskPath, layout, treeDir, uuid));
  } catch (e) {
    if (e instanceof AppError && /allocate|space|too (small|large)/i.test(e.message)) throw tooSmall(needed, layout);
    throw e;
  }
  return usage;
}
