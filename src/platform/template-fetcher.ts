import { request } from 'undici';
import { AppError } from '../domain/errors.js';

/**
 * Fetches a TDL template from an http(s) URL (D10) with a size limit and a timeout. Failures are
 * the client's problem (400), named with the URL and the cause.
 */
export function createTemplateFetcher(opts: { maxBytes: number; timeoutMs: number }) {
  return async function fetchTemplate(url: string): Promise<string> {
    let res;
    try {
      res = await request(url, { method: 'GET', headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs, maxRedirections: 0 } as Parameters<typeof request>[1]);
    } catch (e) {
      throw new AppError('TEMPLATE_INVALID', `template: fetching ${url} failed: ${(e as Error).message}`);
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new AppError('TEMPLATE_INVALID', `template: fetching ${url} answered HTTP ${res.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += chunk.length;
      if (size > opts.maxBytes) {
        res.body.destroy();
        throw new AppError('TEMPLATE_INVALID', `template: ${url} is larger than ${opts.maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  };
}
