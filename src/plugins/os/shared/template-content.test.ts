import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_URL_CONTENT_BYTES, resolveContent } from './template-content.js';

test('url content is fetched over http, with HTTP errors and the size limit reported', async () => {
  const server = createServer((req, res) => {
    if (req.url === '/ok') return res.end('#!/bin/sh\necho from url\n');
    if (req.url === '/big') {
      res.writeHead(200); // no content-length: the limit must hold while streaming
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      let sent = 0;
      const push = () => {
        while (sent <= MAX_URL_CONTENT_BYTES) { sent += chunk.length; if (!res.write(chunk)) return res.once('drain', push); }
        res.end();
      };
      return push();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.equal((await resolveContent('command "c"', 'url', ` ${base}/ok\n`)).toString(), '#!/bin/sh\necho from url\n');
    await assert.rejects(resolveContent('file "/x"', 'url', `${base}/missing`), /file "\/x": fetching .*\/missing failed: HTTP 404/);
    await assert.rejects(resolveContent('file "/y"', 'url', `${base}/big`), /file "\/y": .* is larger than 64 MiB/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
