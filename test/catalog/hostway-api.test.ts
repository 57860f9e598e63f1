import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { TestDaemon } from '../helpers/test-daemon.js';
import { buildTargetImage, eventually, startCatalogDaemon } from './catalog-fixtures.js';

const run = promisify(execFile);
let d: TestDaemon;
let id: string;

/** curl is the Hostway client of record (no real client exists); -i gives status line and headers. */
async function curl(path: string, ...args: string[]): Promise<{ status: number; headers: string; body: string }> {
  const { stdout } = await run('curl', ['-s', '-i', ...args, `${d.url}${path}`]);
  const split = stdout.indexOf('\r\n\r\n');
  const head = stdout.slice(0, split);
  return { status: Number(head.split(' ')[1]), headers: head, body: stdout.slice(split + 4) };
}

before(async () => {
  d = await startCatalogDaemon({ file: { hostway_users: { user: 'password' } } });
  id = await buildTargetImage(d.url, 'hostway-image');
  await eventually(async () => (await curl('/images/detail', '-u', 'user:password')).body.includes('ACTIVE'), 'image listed');
});
after(async () => d?.stop());

test('curl: 401 without or with wrong credentials carries the WebOb plain-text body', async () => {
  for (const args of [[], ['-u', 'user:wrong']]) {
    const r = await curl('/images/detail', ...args);
    assert.equal(r.status, 401);
    assert.match(r.headers, /content-type: text\/plain/i);
    assert.match(r.headers, /www-authenticate: Basic/i);
    assert.equal(r.body, '401 Unauthorized\n\nThis server could not verify that you are authorized to access the document you requested. '
      + 'Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.\n\n');
  }
});

test('curl: /images/detail has the documented item shape', async () => {
  const r = await curl('/images/detail', '-u', 'user:password');
  assert.equal(r.status, 200);
  const { images } = JSON.parse(r.body);
  assert.equal(images.length, 1);
  const [image] = images;
  assert.deepEqual(Object.keys(image), ['status', 'updated', 'name', 'links', 'created', 'id', 'zones']);
  assert.equal(image.status, 'ACTIVE');
  assert.equal(image.updated, null);
  assert.equal(image.name, 'hostway-image');
  assert.equal(image.id, id);
  assert.match(image.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/, 'no fraction, no zone');
  const href = `${d.url}/images/${id}/`;
  assert.deepEqual(image.links, [{ rel: 'self', href }, { rel: 'bookmark', href }]);
});

test('curl: filters, basic list, single image, account prefix, 404 and 400 bodies', async () => {
  const auth = ['-u', 'user:password'];
  assert.equal(JSON.parse((await curl('/images/detail?status=SAVING', ...auth)).body).images.length, 0);
  assert.equal(JSON.parse((await curl('/images/detail?status=ACTIVE&type=BASE&zone=mock', ...auth)).body).images.length, 1);
  assert.equal(JSON.parse((await curl('/images/detail?type=SERVER', ...auth)).body).images.length, 0);
  const basicList = JSON.parse((await curl('/images', ...auth)).body).images;
  assert.deepEqual(Object.keys(basicList[0]), ['name', 'links', 'id', 'zones']);
  const one = await curl(`/accounts/42/flexcloud/images/${id}`, ...auth);
  assert.equal(JSON.parse(one.body).image.links[0].href, `${d.url}/accounts/42/flexcloud/images/${id}/`);
  const missing = await curl('/images/nope', ...auth);
  assert.equal(missing.status, 404);
  assert.deepEqual(JSON.parse(missing.body), { itemNotFound: { guid: '', message: 'Resource not found', code: 404, details: '' } });
  assert.equal((await curl('/images/detail?limit=0', ...auth)).status, 400);
  assert.equal((await curl('/images/detail?marker=nope', ...auth)).status, 400);
});
