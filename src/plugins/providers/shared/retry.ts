import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Attempts in all, the first included (default 5). */
  attempts?: number;
  /** First backoff in ms, doubled each time with ±25 % jitter, capped at maxDelayMs (default 500). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Whether an error is worth another try (default: isTransientError). */
  isTransient?: (error: unknown) => boolean;
  /** Called before each retry with the error and the attempt number that failed (1-based). */
  onRetry?: (error: unknown, attempt: number) => void;
}

/** Runs `fn` until it succeeds, retrying transient failures with exponential backoff and jitter. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 5;
  const base = opts.baseDelayMs ?? 500;
  const max = opts.maxDelayMs ?? 20_000;
  const transient = opts.isTransient ?? isTransientError;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= attempts || !transient(e) || opts.signal?.aborted) throw e;
      opts.onRetry?.(e, attempt);
      const delay = Math.min(max, base * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
      await sleep(delay, undefined, { signal: opts.signal });
    }
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);
const TRANSIENT_NAMES = new Set([
  'RequestTimeout', 'RequestTimeoutException', 'Throttling', 'ThrottlingException', 'SlowDown',
  'InternalError', 'ServiceUnavailable', 'TooManyRequestsException', 'RequestLimitExceeded',
  'InternalServerException', 'ServerBusy', 'OperationTimedOut',
]);

/**
 * Network failures, HTTP 408/429/5xx and the throttling errors the cloud SDKs name. The SDKs expose
 * the status as `$metadata.httpStatusCode` (AWS), `statusCode` (Azure) or `code`/`status` (Google).
 */
export function isTransientError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as Record<string, unknown> & { $metadata?: { httpStatusCode?: number }; cause?: unknown };
  if (err.name === 'AbortError') return false;
  const status = [err.$metadata?.httpStatusCode, err.statusCode, err.status, typeof err.code === 'number' ? err.code : undefined]
    .find((v) => typeof v === 'number') as number | undefined;
  if (status !== undefined && (status === 408 || status === 429 || status >= 500)) return true;
  if (typeof err.code === 'string' && TRANSIENT_CODES.has(err.code)) return true;
  if (typeof err.name === 'string' && TRANSIENT_NAMES.has(err.name)) return true;
  return err.cause !== undefined && err.cause !== e ? isTransientError(err.cause) : false;
}
