/**
 * /imagefactory/events (the SSE stream), the template validation endpoint and dashboard sessions,
 * against the daemon's real composition with the test-double plugins.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OAuth from 'oauth-1.0a';
import { Agent, fetch as undiciFetch } from 'undici';
import { loadTlsMaterial } from '../../src/platform/tls-certificate.js';
import { ImageEvents } from '../../src/core/builds/image-events.js';
import { newImageRecord } from '../../src/core/images/new-image-record.js';
import { sessionCookie } from '../../src/api/dashboard/index.js';
import { DashboardSessions } from '../../src/api/dashboard/sessions.js';
import { ImageEventHub } from '../../src/api/imagefactory/event-hub.js';
import { catalogSurfaces } from '../../src/main/catalog-surfaces.js';
import { mockTemplate, removeDir, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js';

const CLIENT = { key: 'ev-key', secret: 'ev-secret' };

function signed(url: string, method: string) {
  const oauth = new OAuth({ consumer: CLIENT, signature_method: 'HMAC-SHA1', hash_function: (b, k) => createHmac('sha1', k).update(b).digest('base64') });
  return oauth.toHeader(oauth.authorize({ url, method })) as unknown as Record<string, string>;
}

interface SseEvent { id?: string; event?: string; data?: string }

/** An SSE reader (a real line-oriented parse) that can be asked again for more events. */
function sse(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buf = '';
  return {
    events,
    async until(pred: (events: SseEvent[]) => boolean, timeoutMs = 90_000): Promise<SseEvent[]> {
      const deadline = Date.now() + timeoutMs;
      while (!pred(events)) {
        if (Date.now() > deadline) throw new Error(`stream did not deliver the expected events; got ${JSON.stringify(events.map((e) => `${e.event} ${e.data?.slice(0, 90)}`))}`);
        const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 200))]);
        if (next === null) continue;
        if (next.done) throw new Error('stream ended');
        buf += next.value;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i); buf = buf.slice(i + 2);
          const e: SseEvent = {};
          for (const line of frame.split('\n')) {
            const m = /^(id|event|data): ?(.*)$/.exec(line);
            if (m) e[m[1] as keyof SseEvent] = m[2];
          }
          if (e.event || e.data) events.push(e);
        }
      }
      return events;
    },
    close: () => reader.cancel().catch(() => undefined),
  };
}

async function readEvents(res: Response, until: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const s = sse(res);
  try { return await s.until(until); } finally { await s.close(); }
}

describe('event stream and dashboard sessions (OAuth on)', () => {
  let d: TestDaemon;
  let cookie = '';
  let csrf = '';
  before(async () => {
    d = await startTestDaemon({ flags: { no_oauth: false }, file: { clients: { [CLIENT.key]: CLIENT.secret } }, surfaces: catalogSurfaces() });
    const res = await fetch(`${d.url}/dashboard/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: CLIENT.key, secret: CLIENT.secret }) });
    assert.equal(res.status, 200);
    const setCookie = res.headers.get('set-cookie')!;
    assert.match(setCookie, /^if_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    cookie = setCookie.split(';')[0];
    csrf = ((await res.json()) as { csrf: string }).csrf;
  });
  after(async () => { await d.stop(); await removeDir(d.dataDir); });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${d.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf, ...headers }, body: JSON.stringify(body),
  });

  test('the stream needs auth: 401 without, 200 with an OAuth signature or a session cookie', async () => {
    const url = `${d.url}/imagefactory/events`;
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: { cookie: 'if_session=forged' } })).status, 401);
    for (const headers of [signed(url, 'GET'), { cookie }]) {
      const ctrl = new AbortController();
      const res = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, signal: ctrl.signal });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
      const [ready] = await readEvents(res, (e) => e.length >= 1);
      assert.equal(ready.event, 'ready');
      ctrl.abort();
    }
  });

  test('bad filters are 400s naming the field', async () => {
    const bad = await fetch(`${d.url}/imagefactory/events?kind=disk_image`, { headers: { cookie } });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /^kind: "disk_image" is not one of base_image, target_image, provider_image/);
    const badType = await fetch(`${d.url}/imagefactory/events?type=everything`, { headers: { cookie } });
    assert.equal(badType.status, 400);
    assert.match(await badType.text(), /^type: /);
  });

  test('every state change of a build arrives in order, filtered by image id; Last-Event-ID resumes exactly', async () => {
    const ctrl = new AbortController();
    try {
      const all = sse(await fetch(`${d.url}/imagefactory/events?kind=base_image`, { headers: { cookie }, signal: ctrl.signal }));
      const [ready] = await all.until((e) => e.length >= 1);
      assert.equal(ready.event, 'ready');
      const created = await post('/imagefactory/base_images', { base_image: { template: mockTemplate('ev'), parameters: { mock_delay_ms: 400 } } });
      const id = ((await created.json()) as { base_image: { id: string } }).base_image.id;
      const other = await post('/imagefactory/base_images', { base_image: { template: mockTemplate('ev-other') } });
      const otherId = ((await other.json()) as { base_image: { id: string } }).base_image.id;
      const done = (events: SseEvent[]) => events.some((e) => e.data && JSON.parse(e.data).id === id && JSON.parse(e.data).status === 'COMPLETE');
      const otherDone = (events: SseEvent[]) => events.some((e) => e.data && JSON.parse(e.data).id === otherId && JSON.parse(e.data).status === 'COMPLETE');
      const everything = await all.until((e) => done(e) && otherDone(e));
      // Filtered by image, resumed from the id of the first stream's first frame: the whole build again.
      const filtered = await fetch(`${d.url}/imagefactory/events?image=${id}`, { headers: { cookie, 'last-event-id': ready.id! }, signal: ctrl.signal });
      const mine = await readEvents(filtered, done);
      const mineData = mine.filter((e) => e.event !== 'ready').map((e) => JSON.parse(e.data!));
      assert.ok(mineData.length >= 3);
      assert.ok(mineData.every((x) => x.id === id), 'the image filter holds');
      const statuses = mineData.filter((x) => x.previous_status).map((x) => x.status);
      assert.equal(statuses.at(-1), 'COMPLETE');
      assert.ok(statuses.includes('BUILDING'), `statuses ${statuses}`);
      const percents = mineData.map((x) => x.percent_complete);
      for (let i = 1; i < percents.length; i++) assert.ok(percents[i] >= percents[i - 1], `percent never goes back: ${percents}`);
      assert.ok(mine.some((e) => e.event === 'progress') && mine.some((e) => e.event === 'status'));
      // Up to its COMPLETE event (either stream may already hold later events of other writers).
      const upToComplete = (events: SseEvent[]) => {
        const own = events.filter((e) => e.data && e.event !== 'ready' && JSON.parse(e.data).id === id);
        return own.slice(0, own.findIndex((e) => JSON.parse(e.data!).status === 'COMPLETE') + 1).map((e) => e.id);
      };
      assert.deepEqual(upToComplete(mine), upToComplete(everything), 'the replay is exactly what the live stream had');

      // Resume from the middle: exactly the events after that id, in the same order.
      const ids = everything.filter((e) => e.id && e.event !== 'ready').map((e) => e.id!);
      const resumed = await fetch(`${d.url}/imagefactory/events?kind=base_image`, { headers: { cookie, 'last-event-id': ids[1] }, signal: ctrl.signal });
      const replay = await readEvents(resumed, (events) => events.filter((e) => e.event !== 'ready').length >= ids.length - 2);
      assert.deepEqual(replay.filter((e) => e.event !== 'ready').map((e) => e.id).slice(0, ids.length - 2), ids.slice(2));
      // An id of another daemon run cannot be replayed: the client is told to reload.
      const stale = await fetch(`${d.url}/imagefactory/events`, { headers: { cookie, 'last-event-id': 'zzzz-5' }, signal: ctrl.signal });
      const resetEvents = await readEvents(stale, (events) => events.some((e) => e.event === 'reset'));
      assert.ok(resetEvents.some((e) => e.event === 'reset'));
      await all.close();
    } finally { ctrl.abort(); }
    const deadline = Date.now() + 5000;
    while (d.container.eventHub.subscriberCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(d.container.eventHub.subscriberCount, 0, 'closed streams unsubscribe');
  });

  test('a subscriber that stops reading is dropped at its buffer bound; emitting never waits for it', async () => {
    const socket = connect(Number(new URL(d.url).port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(`GET /imagefactory/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\n\r\n`);
    const deadline = Date.now() + 10_000;
    while (d.container.eventHub.subscriberCount === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(d.container.eventHub.subscriberCount, 1);
    socket.pause(); // never read again
    const image = { ...newImageRecord('base_image', { template: mockTemplate('flood') }), statusDetail: { activity: 'x'.repeat(2000), error: null } };
    for (let i = 0; i < 5000 && d.container.eventHub.subscriberCount > 0; i++) {
      // emit() is synchronous and returns at once whatever the subscriber does.
      d.container.events.emit({ image: { ...image, percentComplete: i % 100 } });
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(d.container.eventHub.subscriberCount, 0, 'the stalled subscriber was disconnected');
    socket.destroy();
  });

  test('templates/validate answers with the parser\'s line-numbered error, or a summary', async () => {
    const bad = await post('/imagefactory/templates/validate', { template: '<template>\n  <name>x</name>\n  <os><name>MockOS_A</name>\n</template>' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /^template: XML syntax error: line 4: /);
    const ok = await post('/imagefactory/templates/validate', { template: mockTemplate('valid') });
    assert.equal(ok.status, 200);
    const doc = (await ok.json()) as { template: { valid: boolean; name: string; os: { name: string } } };
    assert.equal(doc.template.valid, true);
    assert.equal(doc.template.name, 'valid');
    const unsupported = await post('/imagefactory/templates/validate', { template: mockTemplate('x').replace('MockOS_A', 'Plan9') });
    assert.equal(unsupported.status, 400);
    assert.match(await unsupported.text(), /No OS plugin supports Plan9/);
  });

  test('session writes need the CSRF token; log-out ends the session', async () => {
    const noToken = await post('/imagefactory/base_images', { base_image: { template: mockTemplate('csrf') } }, { 'x-csrf-token': '' });
    assert.equal(noToken.status, 401);
    assert.match(await noToken.text(), /X-CSRF-Token/);
    const wrong = await post('/imagefactory/base_images', { base_image: { template: mockTemplate('csrf') } }, { 'x-csrf-token': 'guess' });
    assert.equal(wrong.status, 401);
    const formLogin = await fetch(`${d.url}/dashboard/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `login=${CLIENT.key}&secret=${CLIENT.secret}` });
    assert.equal(formLogin.status, 415, 'a cross-site form cannot log a browser in');
    const badLogin = await fetch(`${d.url}/dashboard/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: CLIENT.key }) });
    assert.equal(badLogin.status, 400);
    assert.match(await badLogin.text(), /^secret: /);
    const s2 = await fetch(`${d.url}/dashboard/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: CLIENT.key, secret: CLIENT.secret }) });
    const c2 = s2.headers.get('set-cookie')!.split(';')[0];
    const t2 = ((await s2.json()) as { csrf: string }).csrf;
    assert.equal((await fetch(`${d.url}/dashboard/api/tree`, { headers: { cookie: c2 } })).status, 200);
    const out = await fetch(`${d.url}/dashboard/logout`, { method: 'POST', headers: { cookie: c2, 'x-csrf-token': t2 } });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie')!, /Max-Age=0/);
    assert.equal((await fetch(`${d.url}/dashboard/api/tree`, { headers: { cookie: c2 } })).status, 401);
  });

  test('the tree is paged, returns names as data and validates its query', async () => {
    const name = '<script>alert(1)</script>';
    const res = await post('/imagefactory/base_images', { base_image: { template: mockTemplate(name.replace(/</g, '&lt;').replace(/>/g, '&gt;')) } });
    assert.equal(res.status, 202);
    const page = (await (await fetch(`${d.url}/dashboard/api/tree?limit=2`, { headers: { cookie } })).json()) as { total: number; bases: { name: string; children: unknown[] }[] };
    assert.equal(page.bases.length, 2);
    assert.equal(page.bases[0].name, name, 'newest first; the name is data, escaped by the page');
    assert.ok(page.total >= 3);
    const scriptId = ((await res.json()) as { base_image: { id: string } }).base_image.id;
    for (let i = 0; i < 600 && (await d.container.store.get(scriptId))?.status !== 'COMPLETE'; i++) await new Promise((r) => setTimeout(r, 50));
    const all = await d.container.store.list({});
    const expected: Record<string, number> = {};
    for (const image of all) expected[image.status] = (expected[image.status] ?? 0) + 1;
    assert.deepEqual((await (await fetch(`${d.url}/dashboard/api/tree`, { headers: { cookie } })).json() as { counts: unknown }).counts, expected);
    const complete = (await (await fetch(`${d.url}/dashboard/api/tree?status=COMPLETE`, { headers: { cookie } })).json()) as { total: number; bases: { status: string }[] };
    assert.ok(complete.bases.length > 0 && complete.bases.every((b) => b.status === 'COMPLETE'));
    assert.equal(complete.total, all.filter((i) => i.kind === 'base_image' && i.status === 'COMPLETE').length);
    const search = (await (await fetch(`${d.url}/dashboard/api/tree?q=EV-OTH`, { headers: { cookie } })).json()) as { bases: { name: string }[] };
    assert.deepEqual(search.bases.map((b) => b.name), ['ev-other']);
    const bad = await fetch(`${d.url}/dashboard/api/tree?limit=100000`, { headers: { cookie } });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /^limit: /);
    const catalog = await fetch(`${d.url}/dashboard/api/catalog?limit=5`, { headers: { cookie } });
    assert.equal(catalog.status, 200);
  });

  test('GET / is the dashboard for browsers and Nova\'s version list for API clients; assets are a fixed set', async () => {
    const html = await fetch(`${d.url}/`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-security-policy')!, /script-src 'self'/);
    assert.match(await html.text(), /<title>Image Factory<\/title>/);
    const nova = await fetch(`${d.url}/`, { headers: { accept: 'application/json' } });
    assert.ok('versions' in ((await nova.json()) as object));
    for (const p of ['/dashboard/assets/..%2f..%2fpackage.json', '/dashboard/assets/nope.js', '/dashboard/assets/%2e%2e%2fsrc']) {
      assert.equal((await fetch(`${d.url}${p}`)).status, 404, p);
    }
    const js = await fetch(`${d.url}/dashboard/assets/app.js`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=UTF-8');
    const etag = js.headers.get('etag')!;
    assert.equal((await fetch(`${d.url}/dashboard/assets/app.js`, { headers: { 'if-none-match': etag } })).status, 304);
  });
});

test('the hub sends heartbeats and replays only what the ring still holds', async () => {
  const events = new ImageEvents();
  const hub = new ImageEventHub(events, { backlog: 3, heartbeatMs: 20 });
  try {
    let beats = 0;
    const off = hub.subscribe(() => undefined, () => { beats++; });
    while (beats < 2) await new Promise((r) => setTimeout(r, 10));
    off();
    const start = hub.currentId();
    const image = newImageRecord('base_image', { template: mockTemplate('ring') });
    for (let i = 0; i < 5; i++) events.emit({ image: { ...image, percentComplete: i } });
    assert.equal(hub.since(start), undefined, 'five events after it, three kept: not replayable');
    const kept = hub.since(`${hub.epoch}-2`)!;
    assert.deepEqual(kept.map((m) => m.seq), [3, 4, 5]);
    assert.deepEqual(hub.since(hub.currentId()), []);
    assert.equal(hub.since('garbage'), undefined);
    // Events of one burst reach a subscriber as one batch (one socket write), in order.
    await new Promise((r) => setTimeout(r, 120)); // the earlier burst is flushed (to no one)
    const batches: number[][] = [];
    const off2 = hub.subscribe((batch, joined) => { batches.push(batch.map((m) => m.seq)); assert.equal(joined, batch.map((m) => m.frame).join('')); }, () => undefined);
    for (let i = 0; i < 3; i++) events.emit({ image: { ...image, percentComplete: 10 + i } });
    while (!batches.length) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(batches, [[6, 7, 8]]);
    off2();
  } finally { hub.close(); }
});

test('log-ins of a name are refused for a while after ten failures, even with the right secret', () => {
  let now = 0;
  const sessions = new DashboardSessions({ clients: { k: 's' }, users: {}, now: () => now });
  for (let i = 0; i < 10; i++) assert.equal(sessions.login('k', `wrong${i}`), undefined);
  assert.equal(sessions.locked('k'), true);
  assert.equal(sessions.login('k', 's'), undefined);
  now += 11 * 60_000;
  assert.ok(sessions.login('k', 's'));
  assert.equal(sessions.locked('k'), false);
});

test('over TLS the dashboard is served on the same port and its session cookie is Secure', async () => {
  assert.doesNotMatch(sessionCookie('abc', false, 60), /Secure/);
  const dir = await mkdtemp(join(tmpdir(), 'if-dash-tls-'));
  const tls = await loadTlsMaterial('*', dir);
  const d = await startTestDaemon({ https: { key: tls.key, cert: tls.cert }, flags: { no_oauth: false }, file: { clients: { [CLIENT.key]: CLIENT.secret } } });
  const dispatcher = new Agent({ connect: { ca: tls.cert } });
  try {
    assert.match(d.url, /^https:/);
    const page = await undiciFetch(`${d.url}/dashboard`, { dispatcher });
    assert.equal(page.status, 200);
    const res = await undiciFetch(`${d.url}/dashboard/login`, { dispatcher, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: CLIENT.key, secret: CLIENT.secret }) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('set-cookie')!, /; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
  } finally {
    await dispatcher.close();
    await d.stop();
    await removeDir(d.dataDir);
    await removeDir(dir);
  }
});
