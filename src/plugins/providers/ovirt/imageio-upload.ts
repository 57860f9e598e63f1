import { request, type Dispatcher } from 'undici';
import type { Exec } from '../../sdk/index.js';
import { forEachBounded } from '../shared/bounded-parallel.js';
import { ByteProgress } from '../shared/byte-progress.js';
import { dataExtents, extentBytes, isAllZero, nonZeroBlocks } from '../shared/data-blocks.js';
import { withRetry } from '../shared/retry.js';
import { OvirtHttpError } from './ovirt-engine.js';

/** What an imageio server says it can do (OPTIONS /images/TICKET). */
export interface ImageioOptions {
  zero: boolean;
  flush: boolean;
  maxWriters: number;
}

export interface ImageioUploadResult {
  /** Bytes sent in PUT bodies (data only: zero ranges travel as PATCH requests). */
  bytesSent: number;
  /** Bytes covered by PATCH zero requests (or zeros PUT when the server cannot zero). */
  bytesZeroed: number;
  writers: number;
}

const BLOCK = 4 * 1024 * 1024;

type Op = { kind: 'data'; offset: number; data: Buffer } | { kind: 'zero'; offset: number; size: number };

/**
 * Uploads a file to an imageio transfer URL as the imageio Images API documents: OPTIONS first,
 * then PUT (Content-Range bytes START-END/*, flush=n) of the blocks holding data only, PATCH
 * {"op":"zero"} for the rest when the server can zero, and one PATCH {"op":"flush"} at the end.
 * Blocks are read lazily from the file's data extents; up to max_writers requests run at once.
 */
export class ImageioUploader {
  constructor(private readonly url: string, private readonly dispatcher: Dispatcher, private readonly signal?: AbortSignal) {}

  async options(): Promise<ImageioOptions> {
    const res = await this.call('OPTIONS', {});
    const text = await res.body.text();
    if (res.statusCode === 405 || res.statusCode === 204) return { zero: false, flush: false, maxWriters: 1 }; // old daemon / proxy: GET and PUT only
    if (res.statusCode !== 200) throw new OvirtHttpError(res.statusCode, `imageio OPTIONS: ${text.slice(0, 300)}`);
    const doc = JSON.parse(text) as { features?: string[]; max_writers?: number };
    const allow = String(res.headers.allow ?? '');
    return {
      zero: (doc.features ?? []).includes('zero') && /PATCH/.test(allow),
      flush: (doc.features ?? []).includes('flush'),
      maxWriters: Math.max(1, Math.min(8, doc.max_writers ?? 1)),
    };
  }

  async upload(exec: Exec, path: string, size: number, opts: ImageioOptions, onProgress: (percent: number, activity: string) => void, progressRange = { from: 10, to: 90 }): Promise<ImageioUploadResult> {
    const extents = await dataExtents(exec, path);
    const progress = new ByteProgress(Math.max(1, extentBytes(extents)), onProgress, 'Uploading to imageio', progressRange);
    let bytesZeroed = 0;
    const writers = Math.min(opts.maxWriters, 4);
    await forEachBounded(operations(path, size, extents, this.signal), writers, async (op) => {
      if (op.kind === 'data') {
        await this.put(op.offset, op.data, opts.flush);
        progress.add(op.data.length);
      } else if (opts.zero) {
        await this.patch({ op: 'zero', offset: op.offset, size: op.size, flush: false });
        bytesZeroed += op.size;
      } else {
        // No zero support: the range must still read as zeros, so zeros go over the wire.
        for (let o = op.offset; o < op.offset + op.size; o += BLOCK) await this.put(o, Buffer.alloc(Math.min(BLOCK, op.offset + op.size - o)), opts.flush);
        bytesZeroed += op.size;
      }
    }, this.signal);
    if (opts.flush) await this.patch({ op: 'flush' });
    return { bytesSent: progress.bytesSent, bytesZeroed, writers };
  }

  private async put(offset: number, data: Buffer, canFlush: boolean): Promise<void> {
    await withRetry(async () => {
      const res = await this.call('PUT', {
        'content-range': `bytes ${offset}-${offset + data.length - 1}/*`, 'content-type': 'application/octet-stream',
      }, data, canFlush ? '?flush=n' : '');
      const text = await res.body.text();
      if (res.statusCode !== 200 && res.statusCode !== 204) throw new OvirtHttpError(res.statusCode, `imageio PUT at ${offset}: ${text.slice(0, 300)}`);
    }, retryOptions(this.signal));
  }

  private async patch(body: Record<string, unknown>): Promise<void> {
    await withRetry(async () => {
      const res = await this.call('PATCH', { 'content-type': 'application/json' }, JSON.stringify(body));
      const text = await res.body.text();
      if (res.statusCode !== 200 && res.statusCode !== 204) throw new OvirtHttpError(res.statusCode, `imageio PATCH ${String(body.op)}: ${text.slice(0, 300)}`);
    }, retryOptions(this.signal));
  }

  private call(method: string, headers: Record<string, string>, body?: Buffer | string, query = ''): Promise<Dispatcher.ResponseData> {
    return request(`${this.url}${query}`, { method: method as Dispatcher.HttpMethod, headers, body, dispatcher: this.dispatcher, signal: this.signal });
  }
}

/** imageio says: on 5xx resend what was sent since the last flush; every PUT here is self-contained, so resending it is enough. */
function retryOptions(signal?: AbortSignal) {
  return { attempts: 4, baseDelayMs: 250, signal, isTransient: (e: unknown) => !(e instanceof OvirtHttpError) || e.statusCode >= 500 };
}

/** Zero detection granularity inside a block: small enough that scattered metadata is not sent with megabytes of zeros. */
const SEGMENT = 64 * 1024;

/**
 * The data ranges of the file in order (runs of non-zero 64 KiB segments of the non-zero blocks),
 * with the zero ranges between them (and after the last), coalesced.
 */
async function* operations(path: string, size: number, extents: Parameters<typeof nonZeroBlocks>[2], signal?: AbortSignal): AsyncGenerator<Op> {
  let pos = 0;
  const zeroAt = (data: Buffer, i: number) => isAllZero(data.subarray(i, Math.min(data.length, i + SEGMENT)));
  for await (const block of nonZeroBlocks(path, BLOCK, extents, signal)) {
    const data = block.data;
    for (let i = 0; i < data.length;) {
      let s = i;
      while (s < data.length && zeroAt(data, s)) s += SEGMENT;
      if (s >= data.length) break;
      let e = s;
      while (e < data.length && !zeroAt(data, e)) e += SEGMENT;
      e = Math.min(e, data.length);
      const start = block.offset + s;
      if (start > pos) yield { kind: 'zero', offset: pos, size: start - pos };
      yield { kind: 'data', offset: start, data: data.subarray(s, e) };
      pos = block.offset + e;
      i = e;
    }
  }
  if (size > pos) yield { kind: 'zero', offset: pos, size: size - pos };
}
