import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';

/** Data regions (offset, length) a sparse test disk holds; the rest is holes. */
export interface SparseLayout {
  sizeBytes: number;
  regions: { offset: number; length: number }[];
}

/** A raw file of `sizeBytes` with random data in `regions` and holes elsewhere. */
export async function makeSparseDisk(path: string, layout: SparseLayout): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.truncate(layout.sizeBytes);
    for (const r of layout.regions) {
      for (let done = 0; done < r.length; done += 4 * 1024 * 1024) {
        const n = Math.min(4 * 1024 * 1024, r.length - done);
        await fh.write(randomBytes(n), 0, n, r.offset + done);
      }
    }
  } finally {
    await fh.close();
  }
}

/** Bytes the file really occupies on disk (st_blocks × 512). */
export async function allocatedBytes(path: string): Promise<number> {
  const fh = await open(path, 'r');
  try { return (await fh.stat()).blocks * 512; } finally { await fh.close(); }
}
