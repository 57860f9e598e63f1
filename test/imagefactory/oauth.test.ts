import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import OAuth from 'oauth-1.0a';
import { mockTemplate, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js';

const run = promisify(execFile);
const CLIENT = { key: 'mock-key', secret: 'mock-secret' };
const script = new URL('../clients/oauth_request.py', import.meta.url).pathname;

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
