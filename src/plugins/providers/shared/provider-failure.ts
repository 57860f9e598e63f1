import { AppError, isAppError } from '../../../domain/errors.js';

/**
 * A failed cloud call as the image's error: the service's own message (error name and text), with
 * every secret of the credentials replaced, so it can be stored, returned and logged.
 */
export function providerFailure(service: string, e: unknown, secrets: readonly string[] = []): AppError {
  if (isAppError(e)) return new AppError(e.code, scrub(e.message, secrets));
  const err = e as { name?: string; message?: string; Code?: string; code?: string | number; $metadata?: { httpStatusCode?: number }; statusCode?: number };
  const status = err?.$metadata?.httpStatusCode ?? err?.statusCode;
  const name = err?.Code ?? (typeof err?.code === 'string' ? err.code : undefined) ?? err?.name;
  const message = err?.message ?? String(e);
  const text = `${service}${status ? ` (HTTP ${status})` : ''}: ${name && !message.startsWith(name) && name !== 'Error' ? `${name}: ` : ''}${message}`;
  return new AppError('PROVIDER_FAILED', scrub(text, secrets));
}

/** Replaces each secret (and its URL-encoded form) in a text. Short values are left: they are not secrets. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join('REDACTED');
  }
  return out;
}
