import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestDaemon } from '../helpers/test-daemon.js';
import { basic, startCatalogDaemon } from './catalog-fixtures.js';

const AUTH = basic('admin', 'pw');
let d: TestDaemon;

async function api(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${d.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: AUTH, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

before(async () => {
  d = await startCatalogDaemon({ file: { foreman_users: { admin: 'pw' } } });
  await api('/api/compute_resources', { method: 'POST', body: { compute_resource: { name: 'os-cloud', provider: 'Openstack', url: 'http://keystone' } } });
  await api('/api/compute_resources', { method: 'POST', body: { compute_resource: { name: 'lab', provider: 'Libvirt', location_ids: [2] } } });
  await api('/api/operatingsystems', { method: 'POST', body: { operatingsystem: { name: 'Ubuntu', major: '22', minor: '04' } } });
  await api('/api/architectures', { method: 'POST', body: { architecture: { name: 'x86_64' } } });
  for (let i = 1; i <= 25; i++) {
    const r = await api('/api/v2/compute_resources/1/images', { method: 'POST', body: { image: { name: `img-${String(i).padStart(2, '0')}`, username: i % 2 ? 'ubuntu' : 'root', uuid: `u-${i}`, operatingsystem_id: 1, architecture_id: 1, user_data: i === 7 } } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
});
after(async () => d?.stop());

test('index envelope: total/subtotal, default per_page 20, page 2, all, sort echo, headers', async () => {
  const first = await api('/api/compute_resources/1/images');
  assert.deepEqual(Object.keys(first.body), ['total', 'subtotal', 'page', 'per_page', 'search', 'sort', 'results']);
  assert.equal(first.body.total, 25);
  assert.equal(first.body.per_page, 20);
  assert.equal(first.body.results.length, 20);
  assert.deepEqual(first.body.sort, { by: null, order: null });
  assert.equal(first.headers.get('foreman_api_version'), '2');
  assert.equal(first.headers.get('foreman_current_location'), '; ANY');
  const second = await api('/api/compute_resources/1/images?page=2');
  assert.equal(second.body.results.length, 5);
  const all = await api('/api/compute_resources/1/images?per_page=all&order=name%20desc');
  assert.equal(all.body.per_page, 25);
  assert.equal(all.body.results[0].name, 'img-25');
  assert.deepEqual(all.body.sort, { by: 'name', order: 'desc' });
  const item = first.body.results[0];
  assert.deepEqual(Object.keys(item), ['operatingsystem_id', 'operatingsystem_name', 'compute_resource_id', 'compute_resource_name',
    'architecture_id', 'architecture_name', 'uuid', 'username', 'created_at', 'updated_at', 'user_data', 'id', 'name']);
  assert.equal(item.operatingsystem_name, 'Ubuntu 22.04');
  assert.match(item.created_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  assert.equal(item.password, undefined);
  // Nested under the other parents, by friendly id too.
  assert.equal((await api('/api/architectures/x86_64/images?per_page=all')).body.results.length, 25);
  assert.equal((await api('/api/operatingsystems/1-ubuntu/images')).body.total, 25);
});

test('scoped search: comma AND, or, not, like, bare words, set fields, in-lists', async () => {
  const count = async (q: string) => (await api(`/api/compute_resources/1/images?per_page=all&search=${encodeURIComponent(q)}`)).body;
  assert.equal((await count('name="img-03",operatingsystem="1"')).subtotal, 1);
  assert.equal((await count('name = img-03 or name = img-04')).subtotal, 2);
  assert.equal((await count('username = root and not name = img-02')).subtotal, 11);
  assert.equal((await count('name ~ img-1')).subtotal, 10);
  assert.equal((await count('-username = ubuntu')).subtotal, 12);
  assert.equal((await count('img-2')).subtotal, 6, 'bare word: LIKE over name/username/compute_resource');
  assert.equal((await count('user_data')).subtotal, 1);
  assert.equal((await count('user_data = false')).subtotal, 24);
  assert.equal((await count('id ^ (1, 2, 3)')).subtotal, 3);
  assert.equal((await count('compute_resource = os-cloud')).subtotal, 25);
  const r = await count('name ~ img-1');
  assert.equal(r.total, 25);
  assert.equal(r.search, 'name ~ img-1');
});

test('search and order errors are 400 naming the problem', async () => {
  for (const [q, message] of [
    ['search=foo%3D1', "Field 'foo' not recognized for searching!"],
    ['search=architecture~1', "the operator 'like' is not supported for field type 'integer'"],
    ['search=operatingsystem%3Dx', "Value 'x' is not valid for field 'operatingsystem'"],
    ['search=user_data%3Dmaybe', "'user_data' should be one of 'true, false', but the query was 'maybe'"],
    ['order=password', "the field 'password' in the order statement is not valid field for search"],
    ['page=0', 'invalid page: 0'],
    ['page=abc', 'invalid value for Integer(): "abc"'],
    ['per_page=-5', 'invalid per_page: -5'],
  ]) {
    const r = await api(`/api/compute_resources/1/images?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.body.error.message, message, q);
  }
});

test('create/update validations are 422 in Foreman shape; a rejected request changes nothing', async () => {
  const dup = await api('/api/compute_resources/1/images', { method: 'POST', body: { image: { name: 'img-01', username: 'x', uuid: 'u-1', operatingsystem_id: 1, architecture_id: 1 } } });
  assert.equal(dup.status, 422);
  assert.deepEqual(dup.body.error.errors, { name: ['has already been taken'], uuid: ['has already been taken'] });
  assert.deepEqual(dup.body.error.full_messages, ['Name has already been taken', 'Uuid has already been taken']);
  assert.equal(dup.body.error.id, null);
  const blank = await api('/api/compute_resources/1/images', { method: 'POST', body: { name: '  ' } });
  assert.deepEqual(Object.keys(blank.body.error.errors).sort(), ['architecture_id', 'name', 'operatingsystem_id', 'username', 'uuid']);
  const lookup = await api('/api/compute_resources/1/images', { method: 'POST', body: { image: { name: 'z', username: 'z', uuid: 'z', operatingsystem_name: 'Nope 1', architecture_id: 1 } } });
  assert.deepEqual(lookup.body, { error: { message: 'Could not find operatingsystem with name: Nope 1' } });
  const upd = await api('/api/compute_resources/1/images/2', { method: 'PUT', body: { image: { name: 'img-01' } } });
  assert.equal(upd.status, 422);
  assert.equal(upd.body.error.id, 2);
  const ok = await api('/api/compute_resources/1/images/2-anything', { method: 'PATCH', body: { image: { username: ' trimmed ' } } });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.username, 'trimmed');
  assert.equal(ok.body.name, 'img-02');
  assert.equal((await api('/api/compute_resources/1/images')).body.total, 25);
});

test('errors: 404 shapes, 401 without WWW-Authenticate, 415, bad JSON, unknown taxonomy', async () => {
  const missing = await api('/api/compute_resources/1/images/999');
  assert.deepEqual(missing.body, { error: { message: "Resource image not found by id '999'" } });
  assert.deepEqual((await api('/api/compute_resources/99/images')).body, { error: { message: "Resource image not found by id ''" } });
  const unauth = await fetch(`${d.url}/api/compute_resources`, { headers: { authorization: basic('mallory', 'x') } });
  assert.equal(unauth.status, 401);
  assert.equal(unauth.headers.get('www-authenticate'), null);
  assert.deepEqual(await unauth.json(), { error: { message: 'Unable to authenticate user mallory' } });
  const media = await api('/api/compute_resources/1/images', { method: 'POST', body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(media.status, 415);
  assert.match(media.body.error.message, /^Media type in 'Content-Type: application\/x-www-form-urlencoded' is unsupported in API v2/);
  const json = await api('/api/compute_resources/1/images', { method: 'POST', body: '{"image":' });
  assert.equal(json.status, 400);
  assert.equal(json.body.status, 400);
  assert.match(json.body.error, /^There was a problem in the JSON you submitted: /);
  const loc = await api('/api/compute_resources?location_id=99');
  assert.deepEqual(loc.body, { message: 'Location with id 99 not found' });
  const inLocation = await api('/api/compute_resources?location_id=2');
  assert.equal(inLocation.body.total, 2, 'os-cloud has no taxonomy, lab is in location 2');
  assert.equal(inLocation.headers.get('foreman_current_location'), '2; Default Location');
});

test('parents: searchable index, show by friendly id, create validation; status and apidoc', async () => {
  const os = await api('/api/operatingsystems?search=title%3D%22Ubuntu%2022.04%22');
  assert.equal(os.body.subtotal, 1);
  assert.equal((await api('/api/architectures/x86_64')).body.name, 'x86_64');
  const dup = await api('/api/architectures', { method: 'POST', body: { architecture: { name: 'x86_64' } } });
  assert.equal(dup.status, 422);
  assert.deepEqual(dup.body.error.full_messages, ['Name has already been taken']);
  assert.equal((await api('/api/status')).body.version, '3.12.0');
  const doc = await (await fetch(`${d.url}/apidoc/v2.json`)).json() as { docs: { resources: Record<string, { methods: { apis: { api_url: string; http_method: string }[] }[] }> } };
  // Every documented URL is served (checked with a GET on the listing ones).
  for (const resource of Object.values(doc.docs.resources)) {
    for (const m of resource.methods) {
      for (const a of m.apis) {
        if (a.http_method !== 'GET' || a.api_url.includes(':id')) continue;
        const url = a.api_url.replace(/:[a-z_]+/g, '1');
        const r = await api(url);
        assert.equal(r.status, 200, `${url}: ${JSON.stringify(r.body)}`);
      }
    }
  }
});

test('DELETE renders the record without password and removes the image', async () => {
  const del = await api('/api/compute_resources/1/images/25', { method: 'DELETE' });
  assert.equal(del.status, 200);
  assert.equal(del.body.name, 'img-25');
  assert.equal(del.body.password, undefined);
  assert.match(del.body.created_at, /Z$/);
  assert.equal((await api('/api/compute_resources/1/images/25')).status, 404);
  assert.equal((await api('/api/compute_resources/1/images')).body.total, 24);
});

test('strict shapes: PUT needs an image object, provider must be a known provider, search depth is limited', async () => {
  for (const body of [{}, { image: 'img-03' }, { image: null }, { image: [1] }]) {
    const r = await api('/api/compute_resources/1/images/3', { method: 'PUT', body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(r.body.error.message, /param is missing or the value is empty: image/);
  }
  const unknown = await api('/api/compute_resources', { method: 'POST', body: { compute_resource: { name: 'x', provider: 'Nimbus' } } });
  assert.equal(unknown.status, 422);
  assert.deepEqual(unknown.body.error.errors, { provider: ['is not included in the list (Libvirt, Ovirt, EC2, Vmware, Openstack, GCE, AzureRm)'] });
  const canonical = await api('/api/compute_resources', { method: 'POST', body: { compute_resource: { name: 'gce-one', provider: 'gce' } } });
  assert.equal(canonical.status, 201);
  assert.equal(canonical.body.provider, 'GCE');
  for (const search of [`${'('.repeat(2000)}name = x${')'.repeat(2000)}`, `${'not '.repeat(1000)}name = x`]) {
    const r = await api(`/api/compute_resources/1/images?search=${encodeURIComponent(search)}`);
    assert.equal(r.status, 400);
    assert.equal(r.body.error.class, 'ScopedSearch::QueryNotSupported');
    assert.match(r.body.error.message, /more than 32 levels deep/);
  }
  assert.equal((await api('/api/compute_resources/1/images')).body.total, 24);
});
