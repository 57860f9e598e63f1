import { stat } from 'node:fs/promises';
import type { ContainerClient, PageBlobClient } from '@azure/storage-blob';
import { AppError } from '../../../domain/errors.js';
import { forEachBounded } from '../shared/bounded-parallel.js';
import { nonZeroBlocks, type Extent } from '../shared/data-blocks.js';
import { withRetry } from '../shared/retry.js';

/** Page blobs are written in 512-byte pages, at most 4 MiB per Put Page call. */
export const PAGE = 512;
export const MAX_PUT_PAGE = 4 * 1024 * 1024;
/** Zero gaps shorter than this inside a 4 MiB block are sent rather than split into another call. */
const MERGE_GAP = 16 * 1024;
const ZERO_PAGE = Buffer.alloc(PAGE);

export interface PageRun {
  offset: number;
  data: Buffer;
}

export interface PageBlobUploadOptions {
  container: ContainerClient;
  blobName: string;
  /** A fixed VHD (or any file whose size is a multiple of 512). */
  path: string;
  /** The file's data extents (dataExtents): holes are never read. */
  extents: readonly Extent[];
  concurrency: number;
  signal?: AbortSignal;
  log: (line: string) => void;
  /** Bytes now on the blob: sent in this call, or found there from an earlier attempt. */
  onBytes: (bytes: number) => void;
  /** The container is reached through a SAS token, which may not be allowed to create it. */
  sasScoped?: boolean;
  /** Blob metadata (e.g. the target image id), set when the blob is created. */
  metadata?: Record<string, string>;
}

export interface PageBlobUploadResult {
  blob: PageBlobClient;
  size: number;
  /** Bytes sent by this call (Put Page bodies). */
  bytesSent: number;
  /** Non-zero bytes that an earlier attempt had already written (not sent again). */
  bytesReused: number;
  putPageCalls: number;
}

/**
 * Writes a disk file into a page blob sending only its non-zero 512-byte pages, in runs of at most
 * 4 MiB, `concurrency` calls at a time, each retried on transient errors. A blob of the same name
 * and size left by an earlier attempt is resumed: its page ranges are read first and runs it holds
 * already are skipped (a Put Page call is atomic, so a range that exists was written whole). A blob
 * of another size or type is replaced. The blob's size is checked again at the end.
 */
export async function uploadPageBlob(o: PageBlobUploadOptions): Promise<PageBlobUploadResult> {
  const size = (await stat(o.path)).size;
  if (size === 0 || size % PAGE !== 0) throw new AppError('BUILD_FAILED', `${o.path} is ${size} bytes: a page blob needs a whole number of 512-byte pages`);
  const blob = o.container.getPageBlobClient(o.blobName);
  const existing = await resumableRanges(o, blob, size);
  const covered = coverageOf(existing);
  let bytesSent = 0;
  let bytesReused = 0;
  let putPageCalls = 0;
  await forEachBounded(pageRuns(o.path, o.extents, o.signal), o.concurrency, async (run) => {
    if (covered(run.offset, run.data.length)) {
      bytesReused += run.data.length;
      o.onBytes(run.data.length);
      return;
    }
    await withRetry(() => blob.uploadPages(run.data, run.offset, run.data.length, { abortSignal: o.signal }), {
      signal: o.signal,
      onRetry: (e, attempt) => o.log(`Put Page at ${run.offset} failed (attempt ${attempt}): ${(e as Error).message.split('\n')[0]}; retrying`),
    });
    putPageCalls++;
    bytesSent += run.data.length;
    o.onBytes(run.data.length);
  }, o.signal);
  const props = await blob.getProperties({ abortSignal: o.signal });
  if (props.contentLength !== size) throw new AppError('PROVIDER_FAILED', `Page blob ${o.blobName} is ${props.contentLength} bytes after the upload; the image is ${size}`);
  return { blob, size, bytesSent, bytesReused, putPageCalls };
}

/**
 * Creates the container and blob as needed; for a blob already there with the right size and type,
 * returns the page ranges it holds (sorted, end exclusive).
 */
async function resumableRanges(o: PageBlobUploadOptions, blob: PageBlobClient, size: number): Promise<Extent[]> {
  try {
    await o.container.createIfNotExists({ abortSignal: o.signal });
  } catch (e) {
    // A SAS scoped to the container cannot create it (it then has to exist already); a key can.
    if ((e as { statusCode?: number }).statusCode !== 403 || !o.sasScoped) throw e;
  }
  const props = await blob.getProperties({ abortSignal: o.signal }).catch((e: { statusCode?: number }) => {
    if (e.statusCode === 404) return null;
    throw e;
  });
  if (props && props.blobType === 'PageBlob' && props.contentLength === size) {
    const ranges: Extent[] = [];
    for await (const r of blob.listPageRanges(0, size, { abortSignal: o.signal })) if (!r.isClear) ranges.push({ offset: r.start, length: r.end - r.start + 1 });
    ranges.sort((a, b) => a.offset - b.offset);
    const bytes = ranges.reduce((n, r) => n + r.length, 0);
    o.log(`Resuming page blob ${o.blobName}: ${ranges.length} page ranges (${bytes} bytes) are already there`);
    return ranges;
  }
  if (props) {
    o.log(`Replacing blob ${o.blobName} (${props.blobType ?? 'unknown type'}, ${props.contentLength ?? '?'} bytes; the image is ${size})`);
    await blob.delete({ deleteSnapshots: 'include', abortSignal: o.signal });
  }
  await blob.create(size, { metadata: o.metadata, abortSignal: o.signal });
  return [];
}

/** Whether [offset, offset+length) lies inside one range (Azure returns coalesced ranges); runs arrive in order. */
function coverageOf(ranges: readonly Extent[]): (offset: number, length: number) => boolean {
  let i = 0;
  return (offset, length) => {
    if (ranges.length === 0) return false;
    while (i < ranges.length && ranges[i].offset + ranges[i].length <= offset) i++;
    const r = ranges[i];
    return r !== undefined && r.offset <= offset && offset + length <= r.offset + r.length;
  };
}

/**
 * The non-zero runs of a file, 512-byte aligned and at most 4 MiB each, read lazily from its data
 * extents. Runs are views into 4 MiB blocks, so memory stays at a few blocks per call in flight.
 */
export async function* pageRuns(path: string, extents: readonly Extent[], signal?: AbortSignal): AsyncGenerator<PageRun> {
  for await (const block of nonZeroBlocks(path, MAX_PUT_PAGE, extents, signal)) {
    yield* splitRuns(block.offset, block.data);
  }
}

/** Splits one block into its runs of non-zero pages, merging zero gaps shorter than MERGE_GAP. */
export function splitRuns(base: number, data: Buffer): PageRun[] {
  const runs: PageRun[] = [];
  let start = -1;
  let lastData = -1;
  for (let p = 0; p < data.length; p += PAGE) {
    const end = Math.min(p + PAGE, data.length);
    const zero = data.compare(ZERO_PAGE, 0, end - p, p, end) === 0;
    if (zero) continue;
    if (start >= 0 && p - lastData > MERGE_GAP) {
      runs.push({ offset: base + start, data: data.subarray(start, lastData) });
      start = -1;
    }
    if (start < 0) start = p;
    lastData = end;
  }
  if (start >= 0) runs.push({ offset: base + start, data: data.subarray(start, lastData) });
  return runs;
}
