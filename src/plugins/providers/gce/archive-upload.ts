import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CRC32C, type Storage } from '@google-cloud/storage';
import { ByteProgress } from '../shared/byte-progress.js';
import { withRetry } from '../shared/retry.js';

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
  /** Attempts after the first when an upload attempt fails (each continues the same session). */
  retries: number;
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
 * Puts the archive at gs://bucket/objectName with a resumable upload streamed from disk (in one
 * request, or `chunkSize` requests), MD5-validated end to end; transient failures are retried by
 * the SDK and, past that, by continuing the session from its committed offset. An object already
 * there with the same size and MD5 (CRC32C for composite objects, which have no MD5) is reused.
 */
export async function uploadArchive(storage: Storage, u: ArchiveUpload): Promise<UploadedObject> {
  const file = storage.bucket(u.bucket).file(u.objectName);
  const info = await stat(u.path);
  const key = `${u.bucket}/${u.objectName}/${info.size}/${info.mtimeMs}`;
  const progress = typeof u.progress === 'function' ? u.progress(info.size) : u.progress;

  const existing = await file.getMetadata().then(([m]) => m, (e: { code?: number }) => { if (e.code === 404) return null; throw e; });
  if (existing && Number(existing.size) === info.size) {
    // MD5 when Cloud Storage has one (every non-composite object): OpenSSL hashes several times
    // faster than the SDK's JavaScript CRC32C.
    const local = await digest(u.path, existing.md5Hash ? 'md5' : 'crc32c', u.signal);
    if (local === (existing.md5Hash ? existing.md5Hash : existing.crc32c)) {
      u.log(`gs://${u.bucket}/${u.objectName} already holds these ${info.size} bytes (${existing.md5Hash ? 'MD5' : 'CRC32C'} ${local}): not uploading again`);
      progress.add(info.size);
      openSessions.delete(key);
      return { size: info.size, md5Hash: String(existing.md5Hash ?? ''), crc32c: String(existing.crc32c ?? ''), generation: String(existing.generation), reused: true, resumedFrom: 0 };
    }
    u.log(`gs://${u.bucket}/${u.objectName} exists with other content: replacing it`);
  }

  // Bytes reported to progress so far, across attempts (a continued attempt starts from its offset).
  let reported = 0;
  const reportUpTo = (bytes: number) => { if (bytes > reported) { progress.add(bytes - reported); reported = bytes; } };

  const finished = async (resumedFrom: number): Promise<UploadedObject> => {
    const [m] = await file.getMetadata();
    if (Number(m.size) !== info.size) throw new Error(`Cloud Storage stored ${m.size} bytes of gs://${u.bucket}/${u.objectName}; ${info.size} were sent`);
    openSessions.delete(key);
    reportUpTo(info.size);
    return { size: info.size, md5Hash: String(m.md5Hash), crc32c: String(m.crc32c), generation: String(m.generation), reused: false, resumedFrom };
  };

  const attempt = async (uri: string | undefined, committed: number): Promise<void> => {
    await u.beforeUpload?.();
    reportUpTo(committed);
    const ws = file.createWriteStream({
      resumable: true,
      // Without a chunk size the SDK streams the whole object in one request (fastest); with one,
      // it sends chunkSize-byte requests and can resend a failed one from memory.
      ...(u.chunkSize ? { chunkSize: u.chunkSize } : {}),
      // MD5 end to end (the SDK hashes every byte it streams, fast-forwarded ones included, and
      // compares with the object's md5Hash): OpenSSL's MD5 is ~4x the SDK's JavaScript CRC32C.
      validation: 'md5',
      ...(uri ? { uri } : {}),
      // A generation precondition (0 = must not exist yet, else the one being replaced) makes the
      // upload conditionally idempotent, which is when the SDK retries it (RetryConditional).
      preconditionOpts: { ifGenerationMatch: existing ? Number(existing.generation) : 0 },
      metadata: { contentType: 'application/gzip', contentLength: info.size, metadata: u.metadata } as Record<string, unknown>,
    });
    ws.on('uri', (link: string) => {
      openSessions.set(key, link);
      // Bounded: the oldest unfinished sessions are forgotten first (Map keeps insertion order).
      while (openSessions.size > 1000) openSessions.delete(openSessions.keys().next().value!);
    });
    ws.on('progress', (e: { bytesWritten: number }) => reportUpTo(e.bytesWritten));
    await pipeline(createReadStream(u.path, { highWaterMark: 1024 * 1024 }), ws, { signal: u.signal });
  };

  let resumedFrom = 0;
  let first = true;
  // Each attempt continues the session the previous one left (GCS keeps what it committed), so a
  // failure the SDK could not ride out itself costs only the bytes after the committed offset.
  return withRetry(async () => {
    const session = openSessions.get(key);
    const state = session ? await sessionState(session, u.signal).catch(() => null) : null;
    const continuing = first && session !== undefined;
    first = false;
    if (session && state === 'complete') return finished(resumedFrom);
    if (session && typeof state === 'number') {
      if (continuing) resumedFrom = state;
      u.log(`Continuing the resumable upload of gs://${u.bucket}/${u.objectName}: ${state} of ${info.size} bytes are already committed`);
      await attempt(session, state);
      return finished(resumedFrom);
    }
    if (session) { u.log('The earlier upload session is gone: starting a new one'); openSessions.delete(key); }
    u.log(`Uploading ${info.size} bytes to gs://${u.bucket}/${u.objectName} (resumable, ${u.chunkSize ? `${u.chunkSize / 1024} KiB requests` : 'one streamed request'})`);
    await attempt(undefined, 0);
    return finished(resumedFrom);
  }, {
    attempts: u.retries + 1, baseDelayMs: 500, signal: u.signal, isTransient: isRetryableUpload,
    onRetry: (e) => u.log(`Upload interrupted (${redactSessions(String((e as Error)?.message ?? e).slice(0, 300))}); continuing from the committed offset`),
  });
}

/** A resumable session URI authorises uploads to its object: its upload_id is never shown or logged. */
export function redactSessions(text: string): string {
  return text.replace(/upload_id=[^&\s"']+/g, 'upload_id=REDACTED');
}

/**
 * Whether a failed upload attempt is worth continuing: anything but a definite refusal (a 4xx other
 * than 408/429: permissions, preconditions, bad requests) or a cancel. The SDK gives up on its own
 * retries in ways a fresh attempt on the same session can still fix (a dropped streamed request).
 */
function isRetryableUpload(e: unknown): boolean {
  const err = e as { name?: string; code?: unknown; response?: { status?: number } };
  if (err?.name === 'AbortError') return false;
  const status = typeof err?.code === 'number' ? err.code : err?.response?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429) return false;
  if (err?.code === 'FILE_NO_UPLOAD') return false; // checksum mismatch: the bytes themselves differ
  return true;
}

/**
 * What a resumable session holds: the documented status query, an empty PUT with
 * `Content-Range: bytes *\/*`, answered 308 with `Range: bytes=0-N` (no Range: nothing yet), or
 * 200/201 once the object is complete. Null when the session no longer exists.
 */
async function sessionState(sessionUri: string, signal: AbortSignal): Promise<number | 'complete' | null> {
  const r = await fetch(sessionUri, { method: 'PUT', headers: { 'content-range': 'bytes */*', 'content-length': '0' }, signal, redirect: 'manual' });
  await r.arrayBuffer();
  if (r.status === 200 || r.status === 201) return 'complete';
  if (r.status !== 308) return null;
  const m = /^bytes=0-(\d+)$/.exec(r.headers.get('range') ?? '');
  return m ? Number(m[1]) + 1 : 0;
}

/** MD5 or CRC32C of a file, base64, as Cloud Storage reports them. */
export async function digest(path: string, algorithm: 'md5' | 'crc32c', signal?: AbortSignal): Promise<string> {
  const md5 = algorithm === 'md5' ? createHash('md5') : null;
  const crc = algorithm === 'crc32c' ? new CRC32C() : null;
  for await (const c of createReadStream(path, { highWaterMark: 1024 * 1024, signal })) {
    md5?.update(c as Buffer);
    crc?.update(c as Buffer);
  }
  return md5 ? md5.digest('base64') : crc!.toString();
}
