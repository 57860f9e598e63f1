import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startCallbackReceiver } from '../helpers/callback-receiver.js';
import { mockTemplate, startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';

const json = { 'content-type': 'application/json' };

describe('callbacks (D28–D30)', () => {
  let d: TestDaemon;
  before(async () => { d = await startTestDaemon({ file: { callback_secret: 'cb-secret', callback_retries: 3 } }); });
  after(async () => { await d.stop(); });

  test('PUT per status change with the wrapper key, Basic auth from the URL, HMAC signature, cascade to the base', async () => {
    const rx = await startCallbackReceiver();
    try {
      const cb = rx.url.replace('http://', 'http://tim:pa55word@') + '/tim/target_images/7';
      const res = await fetch(`${d.url}/imagefactory/target_images`, { method: 'POST', headers: json, body: JSON.stringify({ target_image: { target: 'mock', template: mockTemplate('cb'), parameters: { callbacks: [cb] } } }) });
      const t = (await res.json()).target_image;
      await waitForStatus(d.url, `/imagefactory/target_images/${t.id}`, ['COMPLETE']);
      await d.container.callbacks.drain();
      assert.ok(rx.received.length >= 4, `got ${rx.received.length} callbacks`);
      for (const r of rx.received) {
        assert.equal(r.method, 'PUT');
        assert.equal(r.url, '/tim/target_images/7');
        assert.equal(r.headers['content-type'], 'application/json');
        assert.equal(r.headers.authorization, `Basic ${Buffer.from('tim:pa55word').toString('base64')}`);
        assert.equal(r.headers['x-imagefactory-signature'], `sha256=${createHmac('sha256', 'cb-secret').update(r.body).digest('hex')}`);
        assert.doesNotMatch(r.body, /pa55word/, 'URL passwords are redacted in echoed parameters');
      }
      const docs = rx.received.map((r) => JSON.parse(r.body) as Record<string, { id: string; status: string; _type: string }>);
      const targetStatuses = docs.filter((x) => x.target_image).map((x) => x.target_image.status);
      const baseStatuses = docs.filter((x) => x.base_image).map((x) => x.base_image.status);
      assert.deepEqual(targetStatuses.filter((s) => s !== 'PENDING'), ['BUILDING', 'COMPLETE']);
      assert.ok(targetStatuses.includes('PENDING'));
      assert.deepEqual(baseStatuses, ['BUILDING', 'COMPLETE']);
      const last = docs.find((x) => x.target_image?.status === 'COMPLETE')!.target_image as unknown as Record<string, unknown>;
      assert.equal(last._type, 'TargetImage');
      assert.equal('href' in last, false);
      assert.equal('base_image_id' in last, false);
      assert.equal(last.percent_complete, 100);
    } finally { await rx.close(); }
  });

  test('failing callback endpoints are retried; a dead one never delays the build', async () => {
    const rx = await startCallbackReceiver({ failFirst: 2 });
    try {
      const res = await fetch(`${d.url}/imagefactory/base_images`, { method: 'POST', headers: json, body: JSON.stringify({ base_image: { template: mockTemplate('retry'), parameters: { callbacks: [`${rx.url}/a`, 'http://127.0.0.1:9/dead'] } } }) });
      const b = (await res.json()).base_image;
      const done = await waitForStatus(d.url, `/imagefactory/base_images/${b.id}`, ['COMPLETE', 'FAILED']);
      assert.equal(done.status, 'COMPLETE');
      await d.container.callbacks.drain();
      assert.deepEqual(rx.received.map((r) => JSON.parse(r.body).base_image.status), ['BUILDING', 'COMPLETE']);
    } finally { await rx.close(); }
  });

  test('callback_url (older form) and DELETE-body callbacks: DELETING then DELETED', async () => {
    const rx = await startCallbackReceiver();
    try {
      const b = (await (await fetch(`${d.url}/imagefactory/base_images`, { method: 'POST', headers: json, body: JSON.stringify({ base_image: { template: mockTemplate('del-cb'), parameters: { callback_url: `${rx.url}/old` } } }) })).json()).base_image;
      await waitForStatus(d.url, `/imagefactory/base_images/${b.id}`, ['COMPLETE']);
      await d.container.callbacks.drain();
      assert.ok(rx.received.some((r) => r.url === '/old'));
      const del = await fetch(`${d.url}/imagefactory/base_images/${b.id}`, { method: 'DELETE', headers: json, body: JSON.stringify({ base_image: { parameters: { callbacks: [`${rx.url}/deleted`] } } }) });
      assert.equal(del.status, 204);
      await waitForStatus(d.url, `/imagefactory/base_images/${b.id}`, ['HTTP 404']);
      await d.container.callbacks.drain();
      assert.deepEqual(rx.received.filter((r) => r.url === '/deleted').map((r) => JSON.parse(r.body).base_image.status), ['DELETING', 'DELETED']);
    } finally { await rx.close(); }
  });
});
