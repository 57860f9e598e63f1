import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestDaemon } from '../helpers/test-daemon.js';
import { basic, buildTargetImage, eventually, startCatalogDaemon } from './catalog-fixtures.js';

const TOKEN = { 'x-auth-token': 'tok' };
let d: TestDaemon;
let factoryId: string;
const registered: string[] = [];

async function nova(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const res = await fetch(`${d.url}${path}`, { ...init, headers: { ...TOKEN, ...init.headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

before(async () => {
  d = await startCatalogDaemon({ file: { nova_tokens: { tok: 'abc123' }, foreman_users: { admin: 'pw' } } });
  factoryId = await buildTargetImage(d.url, 'factory-one', '<disk><size>12</size></disk>');
  // Two more images registered through Foreman (faster than builds; the same catalog).
  const post = (path: string, body: unknown) => fetch(`${d.url}${path}`, { method: 'POST', headers: { authorization: basic('admin', 'pw'), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await post('/api/architectures', { architecture: { name: 'aarch64' } });
  const osId = ((await (await post('/api/operatingsystems', { operatingsystem: { name: 'Debian', major: '12' } })).json()) as { id: number }).id;
  await eventually(async () => (await nova(`/v2.1/images/${factoryId}`)).status === 200, 'synced image');
  for (const name of ['reg-a', 'reg-b']) {
    const res = await post('/api/compute_resources/1/images', { image: { name, username: 'debian', uuid: `uuid-${name}`, operatingsystem_id: osId, architecture_name: 'aarch64' } });
    assert.equal(res.status, 201, await res.text());
  }
  const list = await nova('/v2.1/images');
  for (const i of list.body.images) if (i.id !== factoryId) registered.push(i.id);
});
after(async () => d?.stop());

test('auth: no token is keystone 401; a foreign project id is 400; the own project id appears in links', async () => {
  const res = await fetch(`${d.url}/v2.1/images`);
  assert.equal(res.status, 401);
  assert.deepEqual(await res.json(), { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
  const other = await nova('/v2.1/0ff1ce/images');
  assert.equal(other.status, 400);
  assert.equal(other.body.badRequest.message, "Malformed request URL: URL's project_id '0ff1ce' doesn't match Context's project_id 'abc123'");
  const own = await nova(`/v2.1/abc123/images/${factoryId}`);
  assert.equal(own.status, 200);
  assert.deepEqual(own.body.image.links.map((l: { href: string }) => l.href), [
    `${d.url}/v2.1/abc123/images/${factoryId}`, `${d.url}/abc123/images/${factoryId}`, `${d.url}/images/${factoryId}`,
  ]);
  assert.equal(own.body.image.links[2].type, 'application/vnd.openstack.image');
});

test('detail shape: fixed keys, Z timestamps, size always present, diskConfig only with auto_disk_config', async () => {
  const { body } = await nova(`/v2.1/images/${registered[0]}`);
  assert.deepEqual(Object.keys(body.image).sort(), ['OS-EXT-IMG-SIZE:size', 'created', 'id', 'links', 'metadata', 'minDisk', 'minRam', 'name', 'progress', 'status', 'updated']);
  assert.equal(body.image['OS-EXT-IMG-SIZE:size'], 0);
  assert.match(body.image.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  await nova(`/v2.1/images/${registered[0]}/metadata/auto_disk_config`, { method: 'PUT', body: JSON.stringify({ meta: { auto_disk_config: 'True' } }) });
  await nova(`/v2.1/images/${registered[0]}/metadata/instance_uuid`, { method: 'PUT', body: JSON.stringify({ meta: { instance_uuid: 'aaaa-bbbb' } }) });
  const after = (await nova(`/v2.1/images/${registered[0]}`)).body.image;
  assert.equal(after['OS-DCF:diskConfig'], 'AUTO');
  assert.equal(after.server.id, 'aaaa-bbbb');
  const index = (await nova('/v2.1/images')).body.images[0];
  assert.deepEqual(Object.keys(index), ['id', 'name', 'links']);
});

test('microversions: echoed; images end after 2.35, metadata after 2.38; bad and unsupported versions', async () => {
  const ok = await nova('/v2.1/images', { headers: { 'OpenStack-API-Version': 'compute 2.35' } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('openstack-api-version'), 'compute 2.35');
  assert.equal(ok.headers.get('x-openstack-nova-api-version'), '2.35');
  assert.match(ok.headers.get('vary') ?? '', /OpenStack-API-Version/);
  const gone = await nova('/v2.1/images', { headers: { 'OpenStack-API-Version': 'compute 2.36' } });
  assert.equal(gone.status, 404);
  assert.deepEqual(gone.body, { itemNotFound: { code: 404, message: 'The resource could not be found.' } });
  assert.equal((await nova(`/v2.1/images/${factoryId}/metadata`, { headers: { 'X-OpenStack-Nova-API-Version': '2.38' } })).status, 200);
  assert.equal((await nova(`/v2.1/images/${factoryId}/metadata`, { headers: { 'X-OpenStack-Nova-API-Version': '2.39' } })).status, 404);
  const bad = await nova('/v2.1/images', { headers: { 'X-OpenStack-Nova-API-Version': '2.x' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.badRequest.message, 'API Version String 2.x is of invalid format. Must be of format MajorNum.MinorNum.');
  const high = await nova('/v2.1/images', { headers: { 'X-OpenStack-Nova-API-Version': '3.0' } });
  assert.equal(high.status, 406);
  assert.match(high.body.computeFault?.message ?? JSON.stringify(high.body), /Version 3.0 is not supported by the API/);
});

test('pagination: limit validation, marker, full last page gets a next link that leads to an empty page', async () => {
  for (const [limit, message] of [
    ['0', 'Invalid input for query parameters limit. Value: 0. 0 is less than the minimum of 1'],
    ['-1', "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'"],
    ['abc', "Invalid input for query parameters limit. Value: abc. 'abc' does not match '^[0-9]*$'"],
  ]) {
    const r = await nova(`/v2.1/images?limit=${limit}`);
    assert.equal(r.status, 400);
    assert.equal(r.body.badRequest.message, message);
  }
  assert.equal((await nova('/v2.1/images?marker=nope')).status, 400);
  const first = await nova('/v2.1/images/detail?limit=2&name=reg-a&zeta=1');
  assert.equal(first.body.images.length, 1);
  assert.equal(first.body.images_links, undefined, 'a short page has no next link');
  const page = await nova('/v2.1/images?limit=3');
  assert.equal(page.body.images.length, 3);
  const next = new URL(page.body.images_links[0].href);
  assert.equal(next.pathname, '/v2.1/images');
  assert.deepEqual([...next.searchParams.keys()], ['limit', 'marker']);
  const last = await nova(`${next.pathname}${next.search}`);
  assert.deepEqual(last.body.images, []);
  assert.equal(last.body.images_links, undefined);
});

test('filters: status compares the backend state, minDisk is equality, property-<key>, changes-since', async () => {
  assert.equal((await nova('/v2.1/images?status=SAVING')).body.images.length, 0);
  assert.equal((await nova('/v2.1/images?status=ACTIVE')).body.images.length, 3);
  assert.equal((await nova('/v2.1/images?status=DELETED')).body.images.length, 0);
  assert.equal((await nova('/v2.1/images?minDisk=0')).body.images.length, 2);
  assert.deepEqual((await nova('/v2.1/images?minDisk=12')).body.images.map((i: { id: string }) => i.id), [factoryId], 'the template disk size');
  assert.equal((await nova('/v2.1/images?minDisk=11')).body.images.length, 0, 'equality, not a minimum');
  assert.equal((await nova('/v2.1/images?property-image_factory_kind=target_image')).body.images.length, 1);
  assert.equal((await nova('/v2.1/images?changes-since=2000-01-01T00:00:00')).body.images.length, 3);
  assert.equal((await nova('/v2.1/images?changes-since=2999-01-01T00:00:00Z')).body.images.length, 0);
  assert.equal((await nova('/v2.1/images?changes-since=yesterday')).status, 400);
});

test('metadata: merge, replace, per key, mismatch, limits; rejected requests change nothing', async () => {
  const path = `/v2.1/images/${registered[1]}/metadata`;
  const put = await nova(path, { method: 'PUT', body: JSON.stringify({ metadata: { a: '1', b: '2' } }) });
  assert.deepEqual(put.body, { metadata: { a: '1', b: '2' } });
  const post = await nova(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { b: '3', c: '4' } }) });
  assert.deepEqual(post.body, { metadata: { a: '1', b: '3', c: '4' } });
  assert.deepEqual((await nova(`${path}/c`)).body, { meta: { c: '4' } });
  const missing = await nova(`${path}/zzz`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.itemNotFound.message, 'The resource could not be found.');
  const mismatch = await nova(`${path}/a`, { method: 'PUT', body: JSON.stringify({ meta: { b: 'x' } }) });
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.body.badRequest.message, 'Request body and URI mismatch');
  const tooMany = Object.fromEntries(Array.from({ length: 126 }, (_, i) => [`k${i}`, 'v']));
  const quota = await nova(path, { method: 'POST', body: JSON.stringify({ metadata: tooMany }) });
  assert.equal(quota.status, 403);
  assert.deepEqual(quota.body, { forbidden: { code: 403, message: 'Image metadata limit exceeded' } });
  const long = await nova(path, { method: 'POST', body: JSON.stringify({ metadata: { d: 'x'.repeat(256) } }) });
  assert.equal(long.status, 400);
  assert.match(long.body.badRequest.message, /^Invalid input for field\/attribute metadata\/d\. .* is too long$/);
  const badKey = await nova(path, { method: 'POST', body: JSON.stringify({ metadata: { 'bad/key': 'x' } }) });
  assert.equal(badKey.status, 400);
  const extra = await nova(path, { method: 'POST', body: JSON.stringify({ metadata: {}, other: 1 }) });
  assert.match(extra.body.badRequest.message, /Additional properties are not allowed \('other' was unexpected\)/);
  assert.equal((await nova(path, { method: 'POST', body: '{"metadata":' })).body.badRequest.message, 'Malformed request body');
  assert.equal((await nova(path, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<x/>' })).status, 415);
  assert.deepEqual((await nova(path)).body, { metadata: { a: '1', b: '3', c: '4' } }, 'nothing changed');
  const del = await fetch(`${d.url}${path}/a`, { method: 'DELETE', headers: TOKEN });
  assert.equal(del.status, 204);
  assert.equal(await del.text(), '');
  const again = await nova(`${path}/a`, { method: 'DELETE' });
  assert.equal(again.status, 404);
  assert.equal(again.body.itemNotFound.message, 'Invalid metadata key');
  assert.equal((await nova('/v2.1/images/00000000-0000-0000-0000-000000000000/metadata')).body.itemNotFound.message, 'Image not found.');
});

test('version documents, unknown ids, double slashes', async () => {
  const root = await fetch(`${d.url}/`);
  const versions = ((await root.json()) as { versions: { id: string; version: string }[] }).versions;
  assert.deepEqual(versions.map((v) => v.id), ['v2.0', 'v2.1']);
  const v21 = (await (await fetch(`${d.url}/v2.1/`)).json()) as { version: { links: { rel: string; href: string }[] } };
  assert.equal(v21.version.links[0].href, `${d.url}/v2.1/`);
  const unknown = await nova('/v2.1/images/00000000-0000-0000-0000-000000000000');
  assert.deepEqual(unknown.body, { itemNotFound: { code: 404, message: 'Image not found.' } });
  assert.equal((await nova(`/v2.1//images/${factoryId}/metadata`)).status, 200);
});

test('a Nova DELETE of a factory image deletes it in the factory and hides it everywhere', async () => {
  const del = await fetch(`${d.url}/v2.1/images/${factoryId}`, { method: 'DELETE', headers: TOKEN });
  assert.equal(del.status, 204);
  assert.equal((await nova(`/v2.1/images/${factoryId}`)).status, 404);
  await eventually(async () => (await fetch(`${d.url}/imagefactory/target_images/${factoryId}`)).status === 404, 'factory delete');
  const hostway = await fetch(`${d.url}/images/${factoryId}`, { headers: { authorization: basic('admin', 'pw') } });
  assert.equal(hostway.status, 401, 'hostway has no users configured here');
});

test('metadata keys named after Object.prototype members are plain keys; deep values are 400', async () => {
  const path = `/v2.1/images/${registered[0]}/metadata`;
  const before = (await nova(path)).body;
  for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    const del = await nova(`${path}/${key}`, { method: 'DELETE' });
    assert.equal(del.status, 404, key);
    assert.deepEqual(del.body, { itemNotFound: { code: 404, message: 'Invalid metadata key' } });
    assert.equal((await nova(`${path}/${key}`)).status, 404, key);
  }
  const set = await nova(`${path}/constructor`, { method: 'PUT', body: JSON.stringify({ meta: { constructor: 'c' } }) });
  assert.equal(set.status, 200);
  assert.equal((await nova(`${path}/constructor`)).body.meta.constructor, 'c');
  assert.equal((await nova(`${path}/constructor`, { method: 'DELETE' })).status, 204);
  const deep = await nova(path, { method: 'POST', body: `{"metadata":{"a":${'{"a":'.repeat(5000)}"x"${'}'.repeat(5002)}` });
  assert.equal(deep.status, 400);
  assert.match(deep.body.badRequest.message, /nested more than 32 levels deep/);
  assert.deepEqual((await nova(path)).body, before, 'nothing changed');
});
