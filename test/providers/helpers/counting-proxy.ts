import { createServer, request, type Server } from 'node:http';

export interface CountingProxy {
  /** http://127.0.0.1:PORT: put in front of the upstream's origin. */
  origin: string;
  /** Body bytes of the Put Page requests (`comp=page`, `x-ms-page-write: update`) that reached the upstream. */
  putPageBytes: number;
  putPageCalls: number;
  /** Put Page requests answered 503 ServerBusy without reaching the upstream. */
  refused: number;
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of Azurite that counts the page bytes that really go over the wire
 * and answers some Put Page calls with Azure Storage's documented 503 ServerBusy (to exercise the
 * retries): every `failEvery`-th call, when given.
 */
export async function startCountingProxy(upstream: string, opts: { failEvery?: number } = {}): Promise<CountingProxy> {
  const target = new URL(upstream);
  let seen = 0;
  const state = { putPageBytes: 0, putPageCalls: 0, refused: 0 };
  const server: Server = createServer((req, res) => {
    const isPutPage = req.method === 'PUT' && /[?&]comp=page(&|$)/.test(req.url ?? '') && req.headers['x-ms-page-write'] === 'update';
    if (isPutPage && opts.failEvery && ++seen % opts.failEvery === 0) {
      state.refused++;
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { 'content-type': 'application/xml', 'x-ms-error-code': 'ServerBusy' });
        res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The server is currently unable to receive requests. Please retry your request.</Message></Error>');
      });
      return;
    }
    let bytes = 0;
    if (isPutPage) req.on('data', (c: Buffer) => { bytes += c.length; });
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      if (isPutPage && upRes.statusCode === 201) { state.putPageBytes += bytes; state.putPageCalls++; }
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => { res.destroy(); });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    get putPageBytes() { return state.putPageBytes; },
    get putPageCalls() { return state.putPageCalls; },
    get refused() { return state.refused; },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
