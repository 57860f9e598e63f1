import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SaxesParser } from 'saxes';
import { mockTemplate, startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';

const json = { 'content-type': 'application/json' };

describe('Image Factory REST API v2: images', () => {
  let d: TestDaemon;
  before(async () => { d = await startTestDaemon(); });
  after(async () => { await d.stop(); });

  const post = (path: string, body: unknown, headers: Record<string, string> = json) =>
    fetch(`${d.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

  test('GET /imagefactory answers name, version and api_version "2.0" without auth', async () => {
    const res = await fetch(`${d.url}/imagefactory`);
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.name, 'imagefactory');
    assert.equal(doc.api_version, '2.0');
    assert.match(doc.version, /^\d+\.\d+\.\d+/);
  });

  test('POST base_images: 202 with the full create shape, then COMPLETE with icicle and 100%', async () => {
    const res = await post('/imagefactory/base_images', { base_image: { template: mockTemplate('base-a') } });
    assert.equal(res.status, 202);
    assert.match(res.headers.get('content-type')!, /^application\/json/);
    const { base_image: b } = await res.json();
    assert.equal(b._type, 'BaseImage');
    assert.match(b.id, /^[0-9a-f-]{36}$/);
    assert.equal(b.href, `${d.url}/imagefactory/base_images/${b.id}`);
    assert.equal(b.status, 'NEW');
    assert.deepEqual(b.status_detail, { activity: 'Initializing image prior to Cloud/OS customization', error: null });
    assert.equal(b.percent_complete, 0);
    assert.deepEqual(b.parameters, {});
    assert.equal(b.icicle, null);
    assert.match(b.template, /<name>base-a<\/name>/);
    const done = await waitForStatus(d.url, `/imagefactory/base_images/${b.id}`, ['COMPLETE', 'FAILED']);
    assert.equal(done.status, 'COMPLETE');
    assert.equal(done.percent_complete, 100);
    assert.equal((done.status_detail as { activity: string }).activity, 'Base Image build complete');
    assert.match(done.icicle as string, /<package name="mock-base">/);
    assert.deepEqual(done.target_images, { target_images: [] });
  });

  test('target from template creates its base; nested GETs, lists and relation shapes', async () => {
    const res = await post('/imagefactory/target_images', { target_image: { target: 'mock', template: mockTemplate('cascade') } });
    assert.equal(res.status, 202);
    const { target_image: t } = await res.json();
    assert.equal(t.target, 'mock');
    assert.match(t.base_image_id, /^[0-9a-f-]{36}$/);
    const done = await waitForStatus(d.url, `/imagefactory/target_images/${t.id}`, ['COMPLETE', 'FAILED']);
    assert.equal(done.status, 'COMPLETE', JSON.stringify(done.status_detail));
    assert.deepEqual(done.base_image, { _type: 'BaseImage', id: t.base_image_id, href: `${d.url}/imagefactory/base_images/${t.base_image_id}` });
    assert.deepEqual(done.provider_images, { provider_images: [] });
    assert.equal('base_image_id' in done, false);

    // The base lists its target with the double nesting clients parse (D14).
    const base = await (await fetch(`${d.url}/imagefactory/base_images/${t.base_image_id}`)).json();
    assert.deepEqual(base.base_image.target_images, { target_images: [{ target_image: { _type: 'TargetImage', id: t.id, href: `${d.url}/imagefactory/target_images/${t.id}` } }] });

    // Nested list filters by parent; nested single GET ignores parent ids (D5) and keeps the nested href.
    const nested = await (await fetch(`${d.url}/imagefactory/base_images/${t.base_image_id}/target_images`)).json();
    assert.deepEqual(nested.target_images.map((x: { target_image: { id: string } }) => x.target_image.id), [t.id]);
    assert.equal(nested.target_images[0].target_image.href, `${d.url}/imagefactory/base_images/${t.base_image_id}/target_images/${t.id}`);
    const other = await (await fetch(`${d.url}/imagefactory/base_images/not-the-parent/target_images/${t.id}`)).json();
    assert.equal(other.target_image.id, t.id);
    assert.equal(other.target_image.href, `${d.url}/imagefactory/base_images/not-the-parent/target_images/${t.id}`);
    const empty = await (await fetch(`${d.url}/imagefactory/base_images/00000000-0000-0000-0000-000000000000/target_images`)).json();
    assert.deepEqual(empty, { target_images: [] });
  });

  test("a target built from an existing base image shows the base's template, not null", async () => {
    const base = (await (await post('/imagefactory/base_images', { base_image: { template: mockTemplate('tpl-src') } })).json()).base_image;
    const t = (await (await post('/imagefactory/target_images', { target_image: { target: 'mock', base_image_id: base.id } })).json()).target_image;
    assert.match(t.template, /<name>tpl-src<\/name>/);
    const shown = (await (await fetch(`${d.url}/imagefactory/target_images/${t.id}`)).json()).target_image;
    assert.equal(shown.template, base.template);
    await waitForStatus(d.url, `/imagefactory/target_images/${t.id}`, ['COMPLETE', 'FAILED']);
  });

  test('POST target on a base path uses the path id; the body id overrides it', async () => {
    const base = (await (await post('/imagefactory/base_images', { base_image: { template: mockTemplate('b2') } })).json()).base_image;
    const viaPath = await post(`/imagefactory/base_images/${base.id}/target_images`, { target_image: { target: 'mock' } });
    assert.equal(viaPath.status, 202);
    const tp = (await viaPath.json()).target_image;
    assert.equal(tp.base_image_id, base.id);
    assert.equal(tp.href, `${d.url}/imagefactory/base_images/${base.id}/target_images/${tp.id}`);
    const unknown = await post('/imagefactory/base_images/00000000-0000-0000-0000-000000000000/target_images', { target_image: { target: 'mock', base_image_id: base.id } });
    assert.equal(unknown.status, 202);
    assert.equal((await unknown.json()).target_image.base_image_id, base.id);
  });

  test('provider image: push, parameters returned (D15), credentials never returned', async () => {
    const res = await post('/imagefactory/provider_images', {
      provider_image: { target: 'mock', provider: 'mock-1', credentials: '<provider_credentials><x>TOPSECRET</x></provider_credentials>', template: mockTemplate('p'), parameters: { foo: 'bar' } },
    });
    assert.equal(res.status, 202);
    const text = await res.text();
    assert.doesNotMatch(text, /TOPSECRET/);
    const p = JSON.parse(text).provider_image;
    assert.equal(p.provider, 'mock-1');
    assert.deepEqual(p.parameters, { foo: 'bar' });
    assert.ok('identifier_on_provider' in p && 'provider_account_identifier' in p && 'target_image_id' in p);
    const done = await waitForStatus(d.url, `/imagefactory/provider_images/${p.id}`, ['COMPLETE', 'FAILED']);
    assert.equal(done.status, 'COMPLETE', JSON.stringify(done.status_detail));
    assert.match(done.identifier_on_provider as string, /^[0-9a-f-]{36}$/);
    assert.equal(done.provider_account_identifier, 'mock_user');
    assert.equal((done.target_image as { id: string }).id, p.target_image_id);
    assert.doesNotMatch(JSON.stringify(done), /TOPSECRET/);
  });

  test('form-encoded POST: flat fields, parameters as a JSON string is decoded (D8)', async () => {
    const body = new URLSearchParams({ target: 'mock', template: mockTemplate('form'), parameters: '{"install_script": "ks text"}' });
    const res = await post('/imagefactory/target_images', body.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 202);
    const t = (await res.json()).target_image;
    assert.deepEqual(t.parameters, { install_script: 'ks text' });
  });

  test('multipart form POST is flat too; file parts are ignored', async () => {
    const fd = new FormData();
    fd.set('template', mockTemplate('multi'));
    fd.set('parameters', '{"a": 1}');
    fd.set('upload', new Blob(['ignored']), 'x.bin');
    const res = await fetch(`${d.url}/imagefactory/base_images`, { method: 'POST', body: fd });
    assert.equal(res.status, 202, await res.clone().text());
    assert.deepEqual((await res.json()).base_image.parameters, { a: 1 });
  });

  test('XML POST body (root = singular type) and a single <callbacks> becomes one URL (D9)', async () => {
    const xml = `<target_image><target>mock</target><template>${mockTemplate('xmlpost').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</template><parameters><callbacks>debug</callbacks><n>5</n></parameters></target_image>`;
    const res = await post('/imagefactory/target_images', xml, { 'content-type': 'application/xml' });
    assert.equal(res.status, 202, await res.clone().text());
    const t = (await res.json()).target_image;
    assert.equal(t.parameters.n, '5'); // never evaluated
    assert.equal(t.parameters.callbacks, 'debug');
  });

  test('XML responses when Accept contains "xml" (legacy shape, D23/D25)', async () => {
    const res = await fetch(`${d.url}/imagefactory/base_images`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/xml; charset=UTF-8');
    const text = await res.text();
    assert.match(text, /^ {2}<base_images( type__="list")?>\n/);
    assert.match(text, /<base_image type="BaseImage">/);
    assert.doesNotMatch(text, /&apos;/);
  });

  test('an XML list of two images is one well-formed document with the original element names', async () => {
    for (const name of ['xml-list-a', 'xml-list-b']) {
      const res = await fetch(`${d.url}/imagefactory/base_images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ base_image: { template: mockTemplate(name) } }) });
      assert.equal(res.status, 202);
    }
    const text = await (await fetch(`${d.url}/imagefactory/base_images`, { headers: { accept: 'application/xml' } })).text();
    // saxes is a strict (conformant) XML parser: a second root element is a fatal error.
    const parser = new SaxesParser();
    const roots: string[] = [];
    const children: string[] = [];
    let depth = 0;
    parser.on('opentag', (t) => { if (depth === 0) roots.push(t.name); else if (depth === 1) children.push(t.name); depth++; });
    parser.on('closetag', () => { depth--; });
    parser.write(text).close();
    assert.deepEqual(roots, ['base_images']);
    assert.ok(children.length >= 2, text);
    assert.deepEqual(new Set(children), new Set(['base_image']));
    // A one-item list keeps the original's type__="list" marker on the root.
    const targets = await (await fetch(`${d.url}/imagefactory/targets/mock/providers`, { headers: { accept: 'application/xml' } })).text();
    new SaxesParser().write(targets).close();
  });

  test('Accept negotiation: application/* is JSON (D24), others are 406', async () => {
    assert.match((await fetch(`${d.url}/imagefactory/base_images`, { headers: { accept: 'application/*' } })).headers.get('content-type')!, /^application\/json/);
    const bad = await fetch(`${d.url}/imagefactory/base_images`, { headers: { accept: 'image/png' } });
    assert.equal(bad.status, 406);
    assert.equal(await bad.text(), 'Responses in image/png are currently unsupported.');
  });

  test('DELETE: 204, DELETING then gone (404); wrong collection is 404 (D6)', async () => {
    const b = (await (await post('/imagefactory/base_images', { base_image: { template: mockTemplate('del') } })).json()).base_image;
    await waitForStatus(d.url, `/imagefactory/base_images/${b.id}`, ['COMPLETE']);
    const wrong = await fetch(`${d.url}/imagefactory/target_images/${b.id}`, { method: 'DELETE' });
    assert.equal(wrong.status, 404);
    assert.equal(await wrong.text(), `No TargetImage found with id: ${b.id}`);
    const res = await fetch(`${d.url}/imagefactory/base_images/${b.id}`, { method: 'DELETE' });
    assert.equal(res.status, 204);
    await waitForStatus(d.url, `/imagefactory/base_images/${b.id}`, ['HTTP 404']);
    const raw = await fetch(`${d.url}/imagefactory/base_images/${b.id}/raw_image`);
    assert.equal(raw.status, 404);
  });

  test('provider DELETE needs provider, credentials and target', async () => {
    const p = (await (await post('/imagefactory/provider_images', { provider_image: { target: 'mock', provider: 'x', credentials: 'c', template: mockTemplate('pd') } })).json()).provider_image;
    const res = await fetch(`${d.url}/imagefactory/provider_images/${p.id}`, { method: 'DELETE' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /^Missing required values: credentials, target, provider/);
    await waitForStatus(d.url, `/imagefactory/provider_images/${p.id}`, ['COMPLETE']);
    const ok = await fetch(`${d.url}/imagefactory/provider_images/${p.id}`, { method: 'DELETE', headers: json, body: JSON.stringify({ provider_image: { provider: 'x', credentials: 'c', target: 'mock' } }) });
    assert.equal(ok.status, 204);
    await waitForStatus(d.url, `/imagefactory/provider_images/${p.id}`, ['HTTP 404']);
  });

  test('raw_image streams the body with Content-Disposition, Last-Modified and Range', async () => {
    const b = (await (await post('/imagefactory/base_images', { base_image: { template: mockTemplate('raw') } })).json()).base_image;
    await waitForStatus(d.url, `/imagefactory/base_images/${b.id}`, ['COMPLETE']);
    const full = await fetch(`${d.url}/imagefactory/base_images/${b.id}/raw_image`);
    assert.equal(full.status, 200);
    assert.equal(full.headers.get('content-type'), 'application/octet-stream');
    assert.equal(full.headers.get('content-disposition'), `attachment; filename="${b.id}.body"`);
    const bytes = Buffer.from(await full.arrayBuffer());
    assert.equal(bytes.length, 4 * 1024 * 1024);
    assert.match(bytes.subarray(0, 20).toString(), /^MockOS disk for raw/);
    const part = await fetch(`${d.url}/imagefactory/base_images/${b.id}/raw_image`, { headers: { range: 'bytes=7-10' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 7-10/${4 * 1024 * 1024}`);
    assert.equal(await part.text(), 'disk');
    const notModified = await fetch(`${d.url}/imagefactory/base_images/${b.id}/raw_image`, { headers: { 'if-modified-since': full.headers.get('last-modified')! } });
    assert.equal(notModified.status, 304);
    const bad = await fetch(`${d.url}/imagefactory/base_images/${b.id}/raw_image`, { headers: { range: 'bytes=99999999-' } });
    assert.equal(bad.status, 416);
    const wrongKind = await fetch(`${d.url}/imagefactory/target_images/${b.id}/raw_image`);
    assert.equal(wrongKind.status, 404);
  });

  test('build log and SBOM are downloadable', async () => {
    const b = (await (await post('/imagefactory/base_images', { base_image: { template: mockTemplate('logs') } })).json()).base_image;
    await waitForStatus(d.url, `/imagefactory/base_images/${b.id}`, ['COMPLETE']);
    const log = await (await fetch(`${d.url}/imagefactory/base_images/${b.id}/log`)).text();
    assert.match(log, /Mock step 4 of 4/);
    assert.match(log, /Build complete/);
    const sbom = await (await fetch(`${d.url}/imagefactory/base_images/${b.id}/sbom`)).json();
    assert.equal(sbom.spdxVersion, 'SPDX-2.3');
    assert.ok(sbom.packages.some((p: { name: string }) => p.name === 'mock-base'));
  });

  test('HEAD works on GET routes; other methods get 405 with Allow (D2)', async () => {
    const head = await fetch(`${d.url}/imagefactory/base_images`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const put = await fetch(`${d.url}/imagefactory/base_images`, { method: 'PUT' });
    assert.equal(put.status, 405);
    assert.match(put.headers.get('allow')!, /GET/);
    assert.match(put.headers.get('allow')!, /POST/);
  });

  test('plugins list, single plugin unwrapped with canonical href, unknown 404 (D17, D18)', async () => {
    const list = await (await fetch(`${d.url}/imagefactory/plugins/`)).json();
    const ids = list.plugins.map((p: { id: string }) => p.id);
    assert.deepEqual(ids.sort(), ['MockCloud', 'MockOS']);
    for (const p of list.plugins) assert.equal(p.href, `${d.url}/imagefactory/plugins/${p.id}`);
    const one = await (await fetch(`${d.url}/imagefactory/plugins/MockOS`)).json();
    assert.equal(one.type, 'os');
    assert.equal(one._type, 'plugin');
    assert.equal(one.href, `${d.url}/imagefactory/plugins/MockOS`);
    assert.deepEqual(one.targets, [['MockOS_A', null, null], ['MockOS_B', '1', 'x86_64']]);
    const again = await (await fetch(`${d.url}/imagefactory/plugins/MockOS`)).json();
    assert.deepEqual(again, one); // listing does not mutate metadata (D46)
    assert.equal((await fetch(`${d.url}/imagefactory/plugins/Nope`)).status, 404);
  });

  test('targets and providers are implemented from the plugins (D4)', async () => {
    const list = await (await fetch(`${d.url}/imagefactory/targets`)).json();
    assert.deepEqual(list.targets.map((t: { target: { id: string } }) => t.target.id), ['mock', 'MockCloud']);
    const t = (await (await fetch(`${d.url}/imagefactory/targets/mock`)).json()).target;
    assert.equal(t.plugin, 'MockCloud');
    assert.deepEqual(t.formats, ['raw']);
    assert.equal(t.providers.providers[0].provider.href, `${d.url}/imagefactory/targets/mock/providers/mock-provider`);
    const p = (await (await fetch(`${d.url}/imagefactory/targets/mock/providers/mock-provider`)).json()).provider;
    assert.deepEqual(p.credential_fields.map((f: { name: string }) => f.name), ['token']);
    assert.equal((await fetch(`${d.url}/imagefactory/targets/nope`)).status, 404);
    assert.equal((await fetch(`${d.url}/imagefactory/targets/mock/providers/nope`)).status, 404);
  });

  test('jeos routes answer without auth; an unknown /jeos/images/:id is 404, not the original 501', async () => {
    assert.deepEqual(await (await fetch(`${d.url}/imagefactory/jeos`)).json(), {});
    assert.deepEqual(await (await fetch(`${d.url}/imagefactory/jeos/images`)).json(), {});
    const res = await fetch(`${d.url}/imagefactory/jeos/images/x`);
    assert.equal(res.status, 404);
    assert.equal(await res.text(), 'No JEOS image found with id: x');
  });
});

test('listJson writes exactly the bytes JSON.stringify(presentList) would', async () => {
  const { listJson, presentList } = await import('../../src/api/imagefactory/present.js');
  const ids = ['11111111-2222-3333-4444-555555555555', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'];
  for (const url of ['http://h:8075/imagefactory/target_images', 'https://h/imagefactory/base_images/x"y\\z/target_images/']) {
    assert.equal(listJson('target_image', ids, url), JSON.stringify(presentList('target_image', ids, url)));
    assert.equal(listJson('base_image', [], url), JSON.stringify(presentList('base_image', [], url)));
  }
});
