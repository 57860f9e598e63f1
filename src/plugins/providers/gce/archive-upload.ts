import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CRC32C, type Storage } from '@google-cloud/storage';
import { ByteProgress } from '../shared/byte-progress.js';

export interface ArchiveUpload {
  bucket: string;
  objectName: string;
  path: string;
  chunkSize: number;
  /** Custom metadata stored on the object. */
  metadata: Record<string, string>;
  signal: AbortSignal;
  log(line: string): void;
  progress: ByteProgress | ((total: number) => ByteProgress);
  /** Called before each upload starts (refreshes the access token a request interceptor sends). */
  beforeUpload?: () => Promise<unknown>;
}

export interface UploadedObject {
  size: number;
  md5Hash: string;
  crc32c: string;
  generation: string;
  /** The object was already there with the same bytes (a retried push): nothing was sent. */
  reused: boolean;
  /** Bytes an earlier, interrupted push had already committed to the session this one continued. */
  resumedFrom: number;
}

/**
 * Resumable sessions of uploads that did not finish, by bucket/object/size/mtime: a retried push of
 * the same target image (a new provider image POSTed after a failure) continues the session
 * (GCS keeps one for a week) instead of sending everything again. Kept in memory only: a session
 * URI authorises uploads to that object, so it is never written to disk.
 */
const openSessions = new Map<string, string>();

/**
 * Puts the archive at gs://bucket/objectName with a resumable upload streamed from disk in
 * `chunkSize` requests (the SDK retries transient failures and resumes from the committed offset),
 * CRC32C-validated end to end. An object already there with the same size, MD5 and CRC32C is reused.
 */
export async function uploadArchive(storage: Storage, u: ArchiveUpload): Promise<UploadedObject> {
  const file = storage.bucket(u.bucket).file(u.objectName);
  const info = await stat(u.path);
  const key = `${u.bucket}/${u.objectName}/${info.size}/${info.mtimeMs}`;
  const progress = typeof u.progress === 'function' ? u.progress(info.size) : u.progress;

  const existing = await file.getMetadata().then(([m]) => m, (e: { code?: number }) => { if (e.code === 404) return null; throw e; });
  if (existing && Number(existing.size) === info.size) {
    const local = await digests(u.path, u.signal);
    if (existing.md5Hash === local.md5Hash && existing.crc32c === local.crc32c) {
      u.log(`gs://${u.bucket}/${u.objectName} already holds these ${info.size} bytes (MD5 ${local.md5Hash}, CRC32C ${local.crc32c}): not uploading again`);
      progress.add(info.size);
      openSessions.delete(key);
      return { size: info.size, md5Hash: local.md5Hash, crc32c: local.crc32c, generation: String(existing.generation), reused: true, resumedFrom: 0 };
    }
    u.log(`gs://${u.bucket}/${u.objectName} exists with other content: replacing it`);
  }

  const attempt = async (uri: string | undefined, committed: number): Promise<UploadedObject> => {
    await u.beforeUpload?.();
    let written = committed;
    progress.add(committed);
    const ws = file.createWriteStream({
      resumable: true,
      chunkSize: u.chunkSize,
      validation: 'crc32c',
      ...(uri ? { uri } : {}),
      // A generation precondition (0 = must not exist yet, else the one being replaced) makes the
      // upload conditionally idempotent, which is when the SDK retries it (RetryConditional).
      preconditionOpts: { ifGenerationMatch: existing ? Number(existing.generation) : 0 },
      metadata: { contentType: 'application/gzip', contentLength: info.size, metadata: u.metadata } as Record<string, unknown>,
    });
    ws.on('uri', (link: string) => openSessions.set(key, link));
    ws.on('progress', (e: { bytesWritten: number }) => {
      if (e.bytesWritten > written) { progress.add(e.bytesWritten - written); written = e.bytesWritten; }
    });
    await pipeline(createReadStream(u.path, { highWaterMark: 1024 * 1024 }), ws, { signal: u.signal });
    const [m] = await file.getMetadata();
    if (Number(m.size) !== info.size) throw new Error(`Cloud Storage stored ${m.size} bytes of gs://${u.bucket}/${u.objectName}; ${info.size} were sent`);
    openSessions.delete(key);
    return { size: info.size, md5Hash: String(m.md5Hash), crc32c: String(m.crc32c), generation: String(m.generation), reused: false, resumedFrom: committed };
  };

  const session = openSessions.get(key);
  const committed = session ? await committedBytes(session, u.signal).catch(() => null) : null;
  if (session && committed !== null) {
    u.log(`Continuing the unfinished resumable upload of gs://${u.bucket}/${u.objectName}: ${committed} of ${info.size} bytes are already committed`);
    return attempt(session, committed);
  }
  if (session) { u.log('The earlier upload session is gone: starting a new one'); openSessions.delete(key); }
  u.log(`Uploading ${info.size} bytes to gs://${u.bucket}/${u.objectName} (resumable, ${u.chunkSize / 1024} KiB requests)`);
  return attempt(undefined, 0);
}

/**
 * How many bytes a resumable session has committed: the documented status query, an empty PUT
 * with `Content-Range: bytes *\/*`, answered 308 with `Range: bytes=0-N` (or no Range: nothing yet).
 * Null when the session no longer exists or has already completed (then a fresh upload is simpler).
 */
async function committedBytes(sessionUri: string, signal: AbortSignal): Promise<number | null> {
  const r = await fetch(sessionUri, { method: 'PUT', headers: { 'content-range': 'bytes */*', 'content-length': '0' }, signal, redirect: 'manual' });
  await r.arrayBuffer();
  if (r.status !== 308) return null;
  const m = /^bytes=0-(\d+)$/.exec(r.headers.get('range') ?? '');
  return m ? Number(m[1]) + 1 : 0;
}

/** MD5 and CRC32C of a file, base64, as Cloud Storage reports them. */
export async function digests(path: string, signal?: AbortSignal): Promise<{ md5Hash: string; crc32c: string }> {
  const md5 = createHash('md5');
  const crc = new CRC32C();
  for await (const c of createReadStream(path, { highWaterMark: 1024 * 1024, signal })) {
    md5.update(c as Buffer);
    crc.update(c as Buffer);
  }
  return { md5Hash: md5.digest('base64'), crc32c: crc.toString() };
}
