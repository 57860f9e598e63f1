import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface ReceivedCallback { method: string; url: string; headers: IncomingHttpHeaders; body: string }

/** A loopback HTTP server recording callback PUTs; `failFirst` answers 500 that many times first. */
export async function startCallbackReceiver(opts: { failFirst?: number; delayMs?: number } = {}): Promise<{ url: string; received: ReceivedCallback[]; close(): Promise<void> }> {
  const received: ReceivedCallback[] = [];
  let failures = opts.failFirst ?? 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const answer = () => {
        if (failures > 0) { failures--; res.statusCode = 500; res.end('try again'); return; }
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.end('ok');
      };
      if (opts.delayMs) setTimeout(answer, opts.delayMs); else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
