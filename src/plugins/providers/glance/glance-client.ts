import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { request } from 'undici';
import { AppError } from '../../../domain/errors.js';

/** A Glance image as the v2 API returns it (the fields we read). */
export interface GlanceImage {
  id: string;
  name: string | null;
  status: string;
  size: number | null;
  virtual_size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  disk_format: string | null;
  container_format: string | null;
  visibility: string;
  owner: string | null;
}

export interface GlanceUpload {
  bytes: number;
  md5: string;
  sha512: string;
}

/**
 * A minimal OpenStack Image service (Glance) v2 client: create, upload (streamed from the file,
 * never buffered, hashed on the way), show and delete. `headers` carry the authentication
 * (X-Auth-Token, or a trusted proxy's identity headers); they are never logged.
 */
export class GlanceClient {
  constructor(private readonly endpoint: string, private readonly headers: Record<string, string>, private readonly signal?: AbortSignal) {}

  async createImage(meta: Record<string, unknown>): Promise<GlanceImage> {
    return this.json<GlanceImage>('POST', '/v2/images', meta, [201]);
  }

  async showImage(id: string): Promise<GlanceImage> {
    return this.json<GlanceImage>('GET', `/v2/images/${encodeURIComponent(id)}`, undefined, [200]);
  }

  /** Deletes an image; false when Glance no longer has it. */
  async deleteImage(id: string): Promise<boolean> {
    const res = await this.send('DELETE', `/v2/images/${encodeURIComponent(id)}`, {});
    if (res.statusCode === 404) { await res.body.dump(); return false; }
    await this.expect(res, [204], 'DELETE image');
    return true;
  }

  /** PUT /v2/images/{id}/file from a file, reporting bytes sent; returns what was sent and its hashes. */
  async uploadFile(id: string, path: string, onBytes?: (sent: number, total: number) => void): Promise<GlanceUpload> {
    const total = (await stat(path)).size;
    const md5 = createHash('md5');
    const sha512 = createHash('sha512');
    let sent = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        md5.update(chunk); sha512.update(chunk); sent += chunk.length;
        onBytes?.(sent, total);
        done(null, chunk);
      },
    });
    const source = createReadStream(path, { highWaterMark: 1024 * 1024 });
    source.on('error', (e) => tap.destroy(e));
    const res = await this.send('PUT', `/v2/images/${encodeURIComponent(id)}/file`, {
      'content-type': 'application/octet-stream', 'content-length': String(total),
    }, source.pipe(tap));
    await this.expect(res, [204], 'image upload');
    if (sent !== total) throw new AppError('PROVIDER_FAILED', `Glance upload sent ${sent} of ${total} bytes`);
    return { bytes: sent, md5: md5.digest('hex'), sha512: sha512.digest('hex') };
  }

  private async json<T>(method: string, path: string, body: unknown, ok: number[]): Promise<T> {
    const res = await this.send(method, path, body === undefined ? {} : { 'content-type': 'application/json' }, body === undefined ? undefined : JSON.stringify(body));
    await this.expect(res, ok, `${method} ${path.replace(/\/[0-9a-f-]{36}/, '/{id}')}`, true);
    return (await res.body.json()) as T;
  }

  private async send(method: string, path: string, extra: Record<string, string>, body?: string | Readable) {
    try {
      return await request(new URL(path, this.endpoint), {
        method: method as 'GET', headers: { accept: 'application/json', 'user-agent': 'imagefactoryd', ...this.headers, ...extra },
        body, signal: this.signal, headersTimeout: 30 * 60_000, bodyTimeout: 30 * 60_000,
      });
    } catch (e) {
      if (this.signal?.aborted) throw new AppError('BUILD_CANCELLED', 'The Glance request was cancelled');
      throw new AppError('PROVIDER_FAILED', `Cannot reach Glance at ${this.endpoint}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Non-expected statuses become PROVIDER_FAILED with Glance's own message (HTML or JSON, shortened). */
  private async expect(res: Awaited<ReturnType<typeof request>>, ok: number[], what: string, keepBody = false): Promise<void> {
    if (ok.includes(res.statusCode)) { if (!keepBody) await res.body.dump(); return; }
    const text = (await res.body.text().catch(() => '')).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    throw new AppError('PROVIDER_FAILED', `Glance ${what} answered HTTP ${res.statusCode}: ${text.slice(0, 400) || 'no details'}`);
  }
}
