import { open } from 'node:fs/promises';
import type { Exec } from '../../sdk/index.js';

export interface Extent {
  offset: number;
  length: number;
}

export interface DataBlock {
  /** Block number (offset / blockSize). */
  index: number;
  offset: number;
  /** The block's bytes (shorter than blockSize only at the end of the file). */
  data: Buffer;
}

/**
 * The extents of a raw file that hold data, from `qemu-img map` (SEEK_DATA/SEEK_HOLE underneath):
 * holes of a sparse image are never read, let alone sent.
 */
export async function dataExtents(exec: Exec, path: string): Promise<Extent[]> {
  const r = await exec(['qemu-img', 'map', '-f', 'raw', '--output=json', path], { onLine: () => undefined, maxStdoutBytes: 256 * 1024 * 1024 });
  if (r.code !== 0) throw new Error(`qemu-img map ${path} failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  const entries = JSON.parse(r.stdout) as { start: number; length: number; data: boolean; zero: boolean }[];
  const extents: Extent[] = [];
  for (const e of entries) {
    if (!e.data || e.zero) continue;
    const last = extents[extents.length - 1];
    if (last && last.offset + last.length === e.start) last.length += e.length;
    else extents.push({ offset: e.start, length: e.length });
  }
  return extents;
}

/** Bytes the data extents cover: what a sparse-aware upload should come close to sending. */
export function extentBytes(extents: readonly Extent[]): number {
  return extents.reduce((n, e) => n + e.length, 0);
}

/**
 * The blocks of a raw file (aligned to `blockSize`) that hold at least one non-zero byte, in order,
 * read lazily: only blocks overlapping a data extent are read, and all-zero ones are skipped.
 * Pair with forEachBounded so at most a few blocks are in memory at once.
 */
export async function* nonZeroBlocks(path: string, blockSize: number, extents: readonly Extent[], signal?: AbortSignal): AsyncGenerator<DataBlock> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    let lastIndex = -1;
    for (const extent of extents) {
      const first = Math.floor(extent.offset / blockSize);
      const end = Math.min(size, extent.offset + extent.length);
      for (let index = Math.max(first, lastIndex + 1); index * blockSize < end; index++) {
        signal?.throwIfAborted();
        lastIndex = index;
        const offset = index * blockSize;
        const length = Math.min(blockSize, size - offset);
        const data = Buffer.allocUnsafe(length);
        const { bytesRead } = await fh.read(data, 0, length, offset);
        if (bytesRead !== length) throw new Error(`short read of ${path} at ${offset}`);
        if (!isAllZero(data)) yield { index, offset, data };
      }
    }
  } finally {
    await fh.close();
  }
}

const ZERO_PAGE = Buffer.alloc(64 * 1024);

export function isAllZero(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i += ZERO_PAGE.length) {
    const n = Math.min(ZERO_PAGE.length, buf.length - i);
    if (buf.compare(ZERO_PAGE, 0, n, i, i + n) !== 0) return false;
  }
  return true;
}
