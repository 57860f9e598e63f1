import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mockTemplate, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js';

const ID = '00000000-0000-0000-0000-000000000000';
/** Every POST route of the three collections, with the original's nested aliases. */
const POST_PATHS = ['', `/base_images/${ID}`, `/target_images/${ID}`, `/base_images/${ID}/target_images/${ID}`]
  .flatMap((p) => ['base_images', 'target_images', 'provider_images'].map((c) => `/imagefactory${p}/${c}`));

const multipart = (boundary: string | null, body: string): RequestInit => ({
  method: 'POST', headers: { 'content-type': `multipart/form-data${boundary === null ? '' : `; boundary=${boundary}`}` }, body,
});
const part = (b: string, name: string, value: string, eol = '\r\n') => `--${b}${eol}Content-Disposition: form-data; name="${name}"${eol}${eol}${value}${eol}`;

describe('hostile request shapes get a 4xx naming the problem', () => {
  let d: TestDaemon;
  before(async () => { d = await startTestDaemon({ flags: { max_body_bytes: 128 * 1024 } }); });
  after(async () => { await d.stop(); });

  async function expect(path: string, init: RequestInit, status: number, message: RegExp): Promise<void> {
    const before = (await d.container.store.list()).map((i) => i.id);
    const res = await fetch(`${d.url}${path}`, init);
    const text = await res.text();
    assert.equal(res.status, status, `${path}: ${text}`);
    assert.match(text, message, path);
    assert.deepEqual((await d.container.store.list()).map((i) => i.id), before, 'no record created');
  }

  test('XML nested 10,000 levels → 400 on every POST route, application/xml and text/xml', async () => {
    const deep = `${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`;
    assert.equal(POST_PATHS.length, 12);
    for (const path of POST_PATHS) {
      for (const type of ['application/xml', 'text/xml']) {
        await expect(path, { method: 'POST', headers: { 'content-type': type }, body: deep }, 400, /nested too deeply: more than 32 levels/);
      }
    }
  });

  test('JSON nested thousands deep → 400', () =>
    expect('/imagefactory/base_images', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"base_image":{"template":"x","parameters":${'{"a":'.repeat(5000)}1${'}'.repeat(5002)}` }, 400, /nested more than 32 levels/));

  const broken: [string, RequestInit, RegExp][] = [
    ['no boundary', multipart(null, part('b', 'template', 'x')), /malformed: Content-Type has no boundary/],
    ['wrong boundary', multipart('zz', `${part('yy', 'template', 'x')}--yy--\r\n`), /malformed: no complete part delimited by the boundary "--zz"/],
    ['missing closing delimiter', multipart('zz', part('zz', 'template', 'x')), /malformed: no complete part delimited by the boundary "--zz"/],
    ['LF-only line endings', multipart('zz', `${part('zz', 'template', 'x', '\n')}--zz--\n`), /malformed/],
    ['garbage after a delimiter', multipart('zz', '--zz\r\ngarbage\r\n\r\nx\r\n--zz--\r\n'), /malformed/],
    ['JSON labelled multipart', multipart('zz', JSON.stringify({ base_image: { template: 'x' } })), /malformed: no complete part delimited by the boundary "--zz"/],
  ];
  for (const [what, init, message] of broken) {
    test(`broken multipart: ${what} → 400`, () => expect('/imagefactory/base_images', init, 400, message));
  }

  test('multipart over the body limit → 413 like the other content types', async () => {
    await expect('/imagefactory/base_images', multipart('zz', `${part('zz', 'template', 'x'.repeat(200_000))}--zz--\r\n`), 413, /too large/);
    // Chunked (no Content-Length): the fields are counted as they arrive.
    const chunks = [part('zz', 'template', 'x'.repeat(70_000)), part('zz', 'name', 'y'.repeat(70_000)), '--zz--\r\n'];
    const body = new ReadableStream({ start(c) { for (const x of chunks) c.enqueue(new TextEncoder().encode(x)); c.close(); } });
    await expect('/imagefactory/base_images', { ...multipart('zz', ''), body, duplex: 'half' } as RequestInit, 413, /too large/);
  });

  test('a well-formed multipart form still works', async () => {
    const res = await fetch(`${d.url}/imagefactory/base_images`, multipart('zz', `${part('zz', 'template', mockTemplate('mp'))}--zz--\r\n`));
    assert.equal(res.status, 202, await res.text());
  });

  test('import with a multipart or other non-disk Content-Type → 415 listing application/octet-stream', async () => {
    await expect('/imagefactory/base_images/import?os_name=Debian&os_version=12', multipart('zz', `${part('zz', 'disk', 'x')}--zz--\r\n`), 415, /multipart\/form-data is not accepted; the accepted type is application\/octet-stream/);
    await expect('/imagefactory/base_images/import', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }, 415, /accepted type is application\/octet-stream/);
    await expect('/imagefactory/base_images/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, 415, /accepted type is application\/octet-stream/);
  });

  test('import of a large upload without Content-Type → 415, not 413', () =>
    expect('/imagefactory/base_images/import?os_name=Debian&os_version=12', { method: 'POST', body: new Uint8Array(1024 * 1024) }, 415, /Content-Type is missing; the accepted type is application\/octet-stream/));

  test('a disk too small for the partitions → 400 naming the minimum', () =>
    expect('/imagefactory/base_images', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ base_image: { template: mockTemplate('small', '<disk><size>100MB</size></disk>') } }) }, 400, /too small; the minimum is 195MiB/));

  test('unwrapped JSON (HTTPie template=@f.tdl) and the wrapped form are both accepted', async () => {
    for (const body of [{ template: mockTemplate('flat') }, { base_image: { template: mockTemplate('wrapped') } }]) {
      const res = await fetch(`${d.url}/imagefactory/base_images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 202, await res.text());
    }
  });
});
