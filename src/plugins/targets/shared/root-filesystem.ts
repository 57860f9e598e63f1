import { open } from 'node:fs/promises';
import type { Exec } from '../../sdk/index.js';

const EXT_MAGIC_OFFSET = 1024 + 56;

/** Whether an ext2/3/4 superblock starts at `offset` (magic 0xEF53, little-endian). */
async function isExtFilesystem(disk: string, offset: number): Promise<boolean> {
  const fh = await open(disk, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, offset + EXT_MAGIC_OFFSET);
    return bytesRead === 2 && buf.readUInt16LE(0) === 0xef53;
  } finally {
    await fh.close();
  }
}

/** e2fsprogs address a filesystem inside a disk file as `file?offset=N` (no loop device needed). */
export function extDevice(disk: string, offset: number): string {
  return offset === 0 ? disk : `${disk}?offset=${offset}`;
}

export interface DiskRegion {
  offset: number;
  /** Size in bytes; null for "to the end of the disk". */
  size: number | null;
}

/** Partitions in table order (bytes); none when the disk has no partition table. */
export async function partitions(exec: Exec, disk: string): Promise<DiskRegion[]> {
  let stdout: string;
  try {
    ({ stdout } = await exec(['sfdisk', '-J', disk], { onLine: () => {} }));
  } catch {
    return []; // no recognised table: maybe a bare filesystem
  }
  const table = (JSON.parse(stdout) as {
    partitiontable?: { sectorsize?: number; partitions?: { start: number; size: number }[] };
  }).partitiontable;
  const sector = table?.sectorsize ?? 512;
  return (table?.partitions ?? []).map((p) => ({ offset: p.start * sector, size: p.size * sector }));
}

/**
 * Finds the root filesystem: the first ext2/3/4 filesystem (partition, or the whole disk) that has
 * an /etc directory. Returns its region, or null when the root is not ext (xfs, btrfs...).
 */
export async function findExtRoot(exec: Exec, disk: string): Promise<DiskRegion | null> {
  const candidates: DiskRegion[] = [...(await partitions(exec, disk)), { offset: 0, size: null }];
  for (const region of candidates) {
    if (!(await isExtFilesystem(disk, region.offset))) continue;
    const { stdout } = await exec(['debugfs', '-R', 'stat /etc', extDevice(disk, region.offset)], { onLine: () => {} });
    if (/Type:\s+directory/.test(stdout)) return region;
  }
  return null;
}
