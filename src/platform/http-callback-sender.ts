import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

export interface CallbackSenderOptions {
  retries: number;
  timeoutMs: number;
  /** When set, X-ImageFactory-Signature: sha256=<hex HMAC-SHA256 of the body>. */
  secret?: string;
  /** First retry delay; doubles each time. */
  baseDelayMs?: number;
}

/**
 * HTTP PUT of a callback body. Credentials in the URL move to a correct Basic Authorization header
 * (D29); failures (network, non-2xx) are retried with exponential backoff, then given up.
 */
export function createHttpCallbackSender(options: CallbackSenderOptions) {
  return async function sendCallback(rawUrl: string, body: string): Promise<void> {
    const url = new URL(rawUrl);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'imagefactoryd' };
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    if (options.secret) headers['x-imagefactory-signature'] = `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
    let delay = options.baseDelayMs ?? 500;
    for (let attempt = 0; ; attempt++) {
      try {
        // An overall deadline per attempt, not only idle timeouts: a receiver that drips its answer
        // must not hold the dispatcher.
        const res = await request(url, { method: 'PUT', headers, body, signal: AbortSignal.timeout(options.timeoutMs), headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
        await res.body.dump();
        if (res.statusCode >= 200 && res.statusCode < 300) return;
        if (attempt >= options.retries) throw new Error(`callback answered HTTP ${res.statusCode}`);
      } catch (e) {
        if (attempt >= options.retries) throw e;
      }
      await sleep(delay);
      delay *= 2;
    }
  };
}
