import { request } from 'undici';
import { AppError } from '../domain/errors.js';

/**
 * Fetches a TDL template from an http(s) URL (D10) with a size limit and an overall deadline: the
 * whole exchange (connect, headers, every body byte) must finish within `timeoutMs`, so a server
 * that drips a byte now and then cannot hold the request open. Failures are the client's problem
 * (400), named with the URL and the cause.
 */
export function createTemplateFetcher(opts: { maxBytes: number; timeoutMs: number }) {
  const seconds = Math.round(opts.timeoutMs / 100) / 10;
  return async function fetchTemplate(url: string): Promise<string> {
    const deadline = AbortSignal.timeout(opts.timeoutMs);
    const tooSlow = () => new AppError('TEMPLATE_INVALID', `template: fetching ${url} did not finish within ${seconds} s (config key fetch_timeout)`);
    let res;
    try {
      res = await request(url, { method: 'GET', signal: deadline, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs, maxRedirections: 0 } as Parameters<typeof request>[1]);
    } catch (e) {
      if (deadline.aborted) throw tooSlow();
      throw new AppError('TEMPLATE_INVALID', `template: fetching ${url} failed: ${(e as Error).message}`);
    }
    try {
      if (res.statusCode !== 200) {
        res.body.destroy();
        throw new AppError('TEMPLATE_INVALID', `template: fetching ${url} answered HTTP ${res.statusCode}`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += chunk.length;
        if (size > opts.maxBytes) throw new AppError('TEMPLATE_INVALID', `template: ${url} is larger than ${opts.maxBytes} bytes`);
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks).toString('utf8');
    } catch (e) {
      res.body.destroy();
      if (deadline.aborted) throw tooSlow();
      if (e instanceof AppError) throw e;
      throw new AppError('TEMPLATE_INVALID', `template: fetching ${url} failed: ${(e as Error).message}`);
    }
  };
}
