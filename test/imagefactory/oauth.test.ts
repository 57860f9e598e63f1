import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import OAuth from 'oauth-1.0a';
import { OAuthVerifier } from '../../src/api/imagefactory/oauth.js';
import { mockTemplate, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js';

const run = promisify(execFile);
const CLIENT = { key: 'mock-key', secret: 'mock-secret' };
const script = new URL('../clients/oauth_request.py', import.meta.url).pathname;

/** A header signed by the oauth-1.0a library with a chosen timestamp (seconds) and nonce. */
function signedAt(url: string, method: string, timestampS: number, nonce?: string, client = CLIENT): Record<string, string> {
  const oauth = new OAuth({ consumer: client, signature_method: 'HMAC-SHA1', hash_function: (b, k) => createHmac('sha1', k).update(b).digest('base64') });
  const data = oauth.authorize({ url, method });
  delete (data as Partial<typeof data>).oauth_signature; // re-signed below with the chosen values
  data.oauth_timestamp = timestampS;
  if (nonce !== undefined) data.oauth_nonce = nonce;
  data.oauth_signature = oauth.getSignature({ url, method }, '', data);
  return oauth.toHeader(data) as unknown as Record<string, string>;
}

/** Signs with the oauth-1.0a npm library (a real OAuth client implementation). */
function signed(url: string, method: string, data?: Record<string, string>, client = CLIENT) {
  const oauth = new OAuth({
    consumer: client,
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
  return oauth.toHeader(oauth.authorize({ url, method, data })) as unknown as Record<string, string>;
}

describe('two-legged OAuth 1.0a (D32–D36)', () => {
  let d: TestDaemon;
  before(async () => { d = await startTestDaemon({ flags: { no_oauth: false }, file: { clients: { [CLIENT.key]: CLIENT.secret } } }); });
  after(async () => { await d.stop(); });

  test('python requests_oauthlib client: signed GET, JSON POST and form POST succeed', async () => {
    const get = await run('/usr/bin/python3', [script, 'GET', `${d.url}/imagefactory/base_images`, CLIENT.key, CLIENT.secret]);
    assert.match(get.stdout, /^200\n\{"base_images":/);
    const post = await run('/usr/bin/python3', [script, 'POST', `${d.url}/imagefactory/base_images`, CLIENT.key, CLIENT.secret, 'json', JSON.stringify({ base_image: { template: mockTemplate('py') } })]);
    assert.match(post.stdout, /^202\n/, post.stdout);
    // Form parameters are part of the signature base string.
    const form = await run('/usr/bin/python3', [script, 'POST', `${d.url}/imagefactory/base_images?x=1`, CLIENT.key, CLIENT.secret, 'form', JSON.stringify({ template: mockTemplate('pyform'), parameters: '{"a": "b c"}' })]);
    assert.match(form.stdout, /^202\n/, form.stdout);
  });

  test('wrong secret is 401 with WWW-Authenticate and no base string leak (D33)', async () => {
    const r = await run('/usr/bin/python3', [script, 'GET', `${d.url}/imagefactory/base_images`, CLIENT.key, 'wrong']);
    assert.match(r.stdout, /^401\nUnauthorized: authorization failed/);
    const res = await fetch(`${d.url}/imagefactory/base_images`, { headers: signed(`${d.url}/imagefactory/base_images`, 'GET', undefined, { key: CLIENT.key, secret: 'nope' }) });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate')!, /^OAuth/);
    const body = await res.text();
    assert.doesNotMatch(body, /GET&|base string|signature/i);
  });

  test('missing header, Basic auth, unknown consumer, expired timestamp: all 401 (D32)', async () => {
    const url = `${d.url}/imagefactory/base_images`;
    for (const headers of [
      {},
      { authorization: 'Basic dXNlcjpwYXNz' },
      signed(url, 'GET', undefined, { key: 'nobody', secret: 'x' }),
    ]) {
      const res = await fetch(url, { headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.match(res.headers.get('www-authenticate') ?? '', /^OAuth/);
    }
    const old = new OAuth({ consumer: CLIENT, signature_method: 'HMAC-SHA1', hash_function: (b, k) => createHmac('sha1', k).update(b).digest('base64') });
    const data = old.authorize({ url, method: 'GET' });
    data.oauth_timestamp = Math.floor(Date.now() / 1000) - 301;
    data.oauth_signature = old.getSignature({ url, method: 'GET' }, '', data);
    assert.equal((await fetch(url, { headers: old.toHeader(data) as unknown as Record<string, string> })).status, 401);
  });

  test('a replayed nonce is refused (D34)', async () => {
    const url = `${d.url}/imagefactory/plugins`;
    const headers = signed(url, 'GET');
    assert.equal((await fetch(url, { headers })).status, 200);
    assert.equal((await fetch(url, { headers })).status, 401);
  });

  test('query parameters are signed: tampering is 401', async () => {
    const url = `${d.url}/imagefactory/base_images`;
    const headers = signed(`${url}?a=1`, 'GET', { a: '1' });
    assert.equal((await fetch(`${url}?a=2`, { headers })).status, 401);
    const ok = signed(`${url}?a=1`, 'GET', { a: '1' });
    assert.equal((await fetch(`${url}?a=1`, { headers: ok })).status, 200);
  });

  test('protected: image GETs, raw_image, plugins, DELETE; open: root, jeos, targets (D36)', async () => {
    for (const path of ['/imagefactory/base_images', '/imagefactory/target_images/x', '/imagefactory/base_images/x/raw_image', '/imagefactory/plugins']) {
      assert.equal((await fetch(`${d.url}${path}`)).status, 401, path);
    }
    assert.equal((await fetch(`${d.url}/imagefactory/base_images/x`, { method: 'DELETE' })).status, 401);
    for (const path of ['/imagefactory', '/imagefactory/jeos', '/imagefactory/targets']) {
      assert.equal((await fetch(`${d.url}${path}`)).status, 200, path);
    }
  });
});

describe('OAuth hardening: window both ways, nonce retention and length, checked before the body', () => {
  let d: TestDaemon;
  before(async () => {
    d = await startTestDaemon({ flags: { no_oauth: false, max_body_bytes: 64 * 1024 }, file: { clients: { [CLIENT.key]: CLIENT.secret } } });
  });
  after(async () => { await d.stop(); });

  test('timestamps more than 300 s in the past or the future are 401; inside the window they pass', async () => {
    const url = `${d.url}/imagefactory/plugins`;
    const now = Math.floor(Date.now() / 1000);
    for (const offset of [-3600, -310, 310, 3600, 10 ** 10]) {
      const res = await fetch(url, { headers: signedAt(url, 'GET', now + offset) });
      assert.equal(res.status, 401, `offset ${offset}`);
    }
    for (const offset of [-250, 250]) {
      assert.equal((await fetch(url, { headers: signedAt(url, 'GET', now + offset) })).status, 200, `offset ${offset}`);
    }
  });

  test('a nonce over 256 characters is refused; 256 is accepted', async () => {
    const url = `${d.url}/imagefactory/plugins`;
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await fetch(url, { headers: signedAt(url, 'GET', now, 'n'.repeat(257)) })).status, 401);
    assert.equal((await fetch(url, { headers: signedAt(url, 'GET', now, 'm'.repeat(256)) })).status, 200);
  });

  test('an unsigned request is 401 whatever its body: oversize, malformed JSON/XML/multipart/form, disk upload', async () => {
    const post = (path: string, contentType: string, body: string | Buffer) =>
      fetch(`${d.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: body as BodyInit });
    const huge = Buffer.alloc(1024 * 1024, 0x61);
    const cases: [string, string, string | Buffer][] = [
      ['/imagefactory/base_images', 'application/json', huge],
      ['/imagefactory/base_images', 'application/json', '{"base_image": {'],
      ['/imagefactory/base_images', 'application/xml', '<base_image><template>'.repeat(20000)],
      ['/imagefactory/target_images', 'multipart/form-data', '--x\r\ngarbage'],
      ['/imagefactory/target_images', 'multipart/form-data; boundary=zz', huge],
      ['/imagefactory/base_images', 'application/x-www-form-urlencoded', huge],
      ['/imagefactory/base_images', 'application/x-www-form-urlencoded', 'template=%ZZ'],
      ['/imagefactory/base_images/import?name=x', 'application/octet-stream', huge],
      ['/imagefactory/base_images/import', 'text/plain', 'x'],
    ];
    for (const [path, type, body] of cases) {
      const res = await post(path, type, body);
      assert.equal(res.status, 401, `${path} ${type} (${body.length} bytes)`);
      await res.arrayBuffer();
    }
    // Signed with an unknown consumer or a stale timestamp: still 401 before any parsing.
    const url = `${d.url}/imagefactory/base_images`;
    const stale = signedAt(url, 'POST', Math.floor(Date.now() / 1000) - 3600);
    const res = await fetch(url, { method: 'POST', headers: { ...stale, 'content-type': 'application/json' }, body: huge });
    assert.equal(res.status, 401);
    assert.equal((await d.container.store.list()).length, 0, 'nothing was created');
  });

  test('a correctly signed form POST still works (form parameters are checked after parsing)', async () => {
    const url = `${d.url}/imagefactory/base_images`;
    const form = { template: mockTemplate('hard-form') };
    const res = await fetch(url, { method: 'POST', headers: { ...signed(url, 'POST', form), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    assert.equal(res.status, 202, await res.clone().text());
    const tampered = signed(url, 'POST', form);
    const bad = await fetch(url, { method: 'POST', headers: { ...tampered, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ template: mockTemplate('other') }).toString() });
    assert.equal(bad.status, 401);
  });
});

describe('OAuthVerifier keeps every nonce while its timestamp could still be accepted', () => {
  test('a replay is refused at any point of the window, also after the store was swept', () => {
    const url = 'http://factory.test:8075/imagefactory/plugins';
    let nowMs = 1_800_000_000_000;
    const verifier = new OAuthVerifier({ [CLIENT.key]: CLIENT.secret }, () => nowMs);
    const request = (headers: Record<string, string>) => ({ method: 'GET', url, authorization: headers.Authorization, query: {}, form: {} });
    const t0 = nowMs / 1000;
    // Signed 290 s in the future: valid from now until t0 + 590.
    const future = signedAt(url, 'GET', t0 + 290, 'future-nonce');
    assert.equal(verifier.verify(request(future)), CLIENT.key);
    for (const later of [1, 299, 301, 500, 589]) {
      nowMs = (t0 + later) * 1000;
      // Fill the store past its sweep threshold with fresh nonces so expired entries are swept.
      for (let i = 0; i < 1100; i++) verifier.verify(request(signedAt(url, 'GET', t0 + later, `fill-${later}-${i}`)));
      assert.throws(() => verifier.verify(request(future)), /authorization failed/, `replay at +${later}s`);
    }
    nowMs = (t0 + 591) * 1000;
    assert.throws(() => verifier.verify(request(future)), (e: { details?: { reason?: string } }) => e.details?.reason === 'timestamp outside the accepted window');
  });
});

describe('oauth_open_reads lets GETs through as the documentation\'s prose describes', () => {
  test('GET open, POST still protected', async () => {
    const d = await startTestDaemon({ flags: { no_oauth: false }, file: { clients: { k: 's' }, oauth_open_reads: true } });
    try {
      assert.equal((await fetch(`${d.url}/imagefactory/base_images`)).status, 200);
      const post = await fetch(`${d.url}/imagefactory/base_images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ base_image: { template: mockTemplate() } }) });
      assert.equal(post.status, 401);
    } finally { await d.stop(); }
  });
});
