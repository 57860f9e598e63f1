import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createHttpCallbackSender } from '../../src/platform/http-callback-sender.js';
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js';

/**
 * A server that answers 200 at once and then drips one byte of body every 300 ms, forever: every
 * idle timeout is satisfied, so only an overall deadline ends the exchange.
 */
async function startDripServer(): Promise<{ url: string; server: Server; requests: () => number }> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.write('<');
    const timer = setInterval(() => res.write(' '), 300);
    res.on('close', () => clearInterval(timer));
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => { for (const s of sockets) s.destroy(); return close(cb); }) as typeof server.close;
  return { url: `http://127.0.0.1:${port}/slow.tdl`, server, requests: () => requests };
}

describe('outbound fetches have an overall deadline', () => {
  let drip: Awaited<ReturnType<typeof startDripServer>>;
  let d: TestDaemon;
  before(async () => {
    drip = await startDripServer();
    d = await startTestDaemon({ file: { fetch_timeout: 2 } });
  });
  after(async () => {
    await d.stop();
    await new Promise((r) => drip.server.close(r));
  });

  test('a template URL that drips a byte at a time gets a 400 naming the limit (fetch_timeout)', { timeout: 60_000 }, async () => {
    const res = await fetch(`${d.url}/imagefactory/base_images`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ base_image: { template: drip.url } }),
    });
    const text = await res.text();
    assert.equal(res.status, 400, text);
    assert.match(text, /did not finish within 2 s \(config key fetch_timeout\)/);
    assert.ok(drip.requests() >= 1, 'the daemon did fetch the URL');
    assert.equal((await d.container.store.list()).length, 0, 'no record was created');
  });

  // Without the overall deadline the sender keeps reading the dripped answer forever (every idle
  // timeout is met) and this test runs into its own timeout.
  test('a callback receiver that drips its answer is cut off after callback_timeout', { timeout: 30_000 }, async () => {
    const before = drip.requests();
    const send = createHttpCallbackSender({ retries: 0, timeoutMs: 1000 });
    await send(drip.url, '{"base_image": {}}').catch(() => undefined);
    assert.equal(drip.requests(), before + 1);
  });
});
