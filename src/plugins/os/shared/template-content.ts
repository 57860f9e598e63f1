/**
 * Turns a TDL file or command body into bytes: raw text, base64, or a URL fetched with a size and
 * time limit (templates are untrusted; a URL must not stall a build or fill the disk).
 */
import { AppError } from '../../../domain/errors.js';
import type { TdlContentType } from '../../../domain/template/tdl.js';

export const MAX_URL_CONTENT_BYTES = 64 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 120_000;

export async function resolveContent(
  what: string, type: TdlContentType, content: string, signal?: AbortSignal,
): Promise<Buffer> {
  if (type === 'raw') return Buffer.from(content, 'utf8');
  if (type === 'base64') {
    const clean = content.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) {
      throw new AppError('TEMPLATE_INVALID', `${what}: content is not valid base64`);
    }
    return Buffer.from(clean, 'base64');
  }
  return fetchLimited(what, content.trim(), signal);
}

async function fetchLimited(what: string, url: string, signal?: AbortSignal): Promise<Buffer> {
  if (!/^https?:\/\//.test(url)) throw new AppError('TEMPLATE_INVALID', `${what}: only http(s) URLs can be fetched, got "${url}"`);
  const timeout = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { signal: combined, redirect: 'follow' });
  } catch (e) {
    if (signal?.aborted) throw new AppError('BUILD_CANCELLED');
    throw new AppError('BUILD_FAILED', `${what}: fetching ${url} failed: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new AppError('BUILD_FAILED', `${what}: fetching ${url} failed: HTTP ${res.status} ${res.statusText}`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_URL_CONTENT_BYTES) throw tooLarge(what, url);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body ?? []) {
    total += chunk.length;
    if (total > MAX_URL_CONTENT_BYTES) throw tooLarge(what, url);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function tooLarge(what: string, url: string): AppError {
  return new AppError('BUILD_FAILED', `${what}: ${url} is larger than ${MAX_URL_CONTENT_BYTES / 1024 / 1024} MiB`);
}
