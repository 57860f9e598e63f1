import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { mockTemplate, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js';

const json = { 'content-type': 'application/json' };

describe('bad input gets a clear 4xx and leaves nothing behind', () => {
  let d: TestDaemon;
  before(async () => { d = await startTestDaemon({ flags: { max_body_bytes: 64 * 1024 } }); });
  after(async () => { await d.stop(); });

  async function expectRejected(path: string, init: RequestInit, status: number, message: RegExp): Promise<void> {
    const before = await d.container.store.list();
    const res = await fetch(`${d.url}${path}`, init);
    const text = await res.text();
    assert.equal(res.status, status, `${path}: ${text}`);
    assert.match(text, message);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.deepEqual((await d.container.store.list()).map((i) => i.id), before.map((i) => i.id), 'no record persisted');
  }
  const postJson = (body: unknown): RequestInit => ({ method: 'POST', headers: json, body: JSON.stringify(body) });

  test('malformed JSON → 400 naming the problem', () => expectRejected('/imagefactory/base_images', { method: 'POST', headers: json, body: '{"base_image": ' }, 400, /not valid JSON: .+/));
  test('an empty JSON body on a GET is no body', async () => {
    const res = await fetch(`${d.url}/imagefactory/base_images`, { method: 'GET', headers: json });
    assert.equal(res.status, 200);
  });
  test('an unwrapped body is read as the fields (form_data_for_content_type), so a bad template is named', () => expectRejected('/imagefactory/base_images', postJson({ template: 'x' }), 400, /^template must be TDL XML/));
  test('empty body object → 400 "<type> not found in request."', () => expectRejected('/imagefactory/base_images', postJson({}), 400, /^base_image not found in request\.$/));
  test('an XML body whose root is another type → 400 "<type> not found in request."', () => expectRejected('/imagefactory/base_images', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<target_image><template>x</template></target_image>' }, 400, /^base_image not found in request\.$/));
  test('a wrapper that is not an object → 400 "<type> not found in request."', () => expectRejected('/imagefactory/base_images', postJson({ base_image: 'x' }), 400, /^base_image not found in request\.$/));
  test('empty wrapper → 400', () => expectRejected('/imagefactory/target_images', postJson({ target_image: {} }), 400, /^target_image not found in request\.$/));
  test('missing template → 400', () => expectRejected('/imagefactory/base_images', postJson({ base_image: { parameters: {} } }), 400, /template is missing/));
  test('schema-invalid TDL (<intall typo) → 400 with the line number', () =>
    expectRejected('/imagefactory/base_images', postJson({ base_image: { template: mockTemplate().replace('<install type="url"><url>http://mirror.invalid/mock</url></install>', '<intall type="url"><url>x</url></intall>') } }), 400, /line \d+/));
  test('not well-formed XML template → 400', () => expectRejected('/imagefactory/base_images', postJson({ base_image: { template: '<template><name>x</name>' } }), 400, /template: /));
  test('a server path as template is never read → 400 without contents', async () => {
    await expectRejected('/imagefactory/base_images', postJson({ base_image: { template: '/etc/passwd' } }), 400, /must be TDL XML, an http\(s\) URL or the id of an existing image/);
  });
  test('XML external entity in the template → 400, nothing resolved', () =>
    expectRejected('/imagefactory/base_images', postJson({ base_image: { template: '<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><template><name>&x;</name></template>' } }), 400, /DOCTYPE|entit/i));
  test('XML body with an entity bomb → 400', () =>
    expectRejected('/imagefactory/base_images', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><base_image><template>&lol2;</template></base_image>' }, 400, /DOCTYPE/));
  test('malformed XML body → 400 naming the line', () =>
    expectRejected('/imagefactory/base_images', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<base_image>\n<template></base_image>' }, 400, /not well-formed: line \d/));
  test('unknown OS → 400 listing the supported ones', () =>
    expectRejected('/imagefactory/base_images', postJson({ base_image: { template: mockTemplate().replace('MockOS_A', 'Plan9') } }), 400, /No OS plugin supports Plan9.*MockOS_A/));
  test('both template and base_image_id → 400', () =>
    expectRejected('/imagefactory/target_images', postJson({ target_image: { target: 'mock', template: mockTemplate(), base_image_id: '00000000-0000-0000-0000-000000000000' } }), 400, /either base_image_id or template/));
  test('neither template nor base_image_id → 400', () =>
    expectRejected('/imagefactory/target_images', postJson({ target_image: { target: 'mock' } }), 400, /needs base_image_id or template/));
  test('unknown base_image_id → 404 (D11)', () =>
    expectRejected('/imagefactory/target_images', postJson({ target_image: { target: 'mock', base_image_id: '00000000-0000-0000-0000-000000000000' } }), 404, /^No BaseImage found with id: 00000000/));
  test('unknown target → 400 listing the loaded targets', () =>
    expectRejected('/imagefactory/target_images', postJson({ target_image: { target: 'nocloud', template: mockTemplate() } }), 400, /Unknown target "nocloud"; loaded targets: mock, MockCloud/));
  test('bad target parameter → 400 naming it', () =>
    expectRejected('/imagefactory/target_images', postJson({ target_image: { target: 'mock', template: mockTemplate(), parameters: { mock_param: 'z' } } }), 400, /mock_param must be a or b/));
  test('parameters that are not an object → 400', () =>
    expectRejected('/imagefactory/base_images', postJson({ base_image: { template: mockTemplate(), parameters: 'nope' } }), 400, /parameters must be an object, not a string/));
  test('parameters null → 400', () =>
    expectRejected('/imagefactory/base_images', postJson({ base_image: { template: mockTemplate(), parameters: null } }), 400, /parameters must be an object, not null/));
  test('parameters a JSON-object string in a JSON body → 400 (only forms send strings)', () =>
    expectRejected('/imagefactory/target_images', postJson({ target_image: { target: 'mock', template: mockTemplate(), parameters: '{}' } }), 400, /parameters must be an object, not a string/));
  test('missing provider fields → 400 without echoing credentials', async () => {
    await expectRejected('/imagefactory/provider_images', postJson({ provider_image: { target: 'mock', credentials: 'SECRET-CRED', template: mockTemplate() } }), 400, /^Missing key\/value pair: provider\(None\), credentials\(REDACTED\), target\(mock\)$/);
  });
  test('unknown target_image_id → 404', () =>
    expectRejected('/imagefactory/provider_images', postJson({ provider_image: { target: 'mock', provider: 'p', credentials: 'c', target_image_id: '00000000-0000-0000-0000-000000000000' } }), 404, /No TargetImage found/));
  test('provider rejected by the plugin → 400', () =>
    expectRejected('/imagefactory/provider_images', postJson({ provider_image: { target: 'mock', provider: 'bad-provider', credentials: 'c', template: mockTemplate() } }), 400, /bad-provider does not exist/));
  test('snapshot builds → clear 400', () =>
    expectRejected('/imagefactory/provider_images', postJson({ provider_image: { target: 'mock', provider: 'p', credentials: 'c', template: mockTemplate(), parameters: { snapshot: true } } }), 400, /snapshot builds/));
  test('unsupported Content-Type → 415', () =>
    expectRejected('/imagefactory/base_images', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }, 415, /Unsupported Content-Type/));
  test('body over the limit → 413', () =>
    expectRejected('/imagefactory/base_images', postJson({ base_image: { template: mockTemplate('x'.repeat(70 * 1024)) } }), 413, /too large/));
  test('unknown collection → 404 (D3)', () => expectRejected('/imagefactory/foo', { method: 'GET' }, 404, /Not found/));
  test('unknown image id → 404 with the original text', () =>
    expectRejected('/imagefactory/base_images/nope', { method: 'GET' }, 404, /^No BaseImage found with id: nope$/));
  test('template URL that cannot be fetched → 400 naming the URL', () =>
    expectRejected('/imagefactory/base_images', postJson({ base_image: { template: 'http://127.0.0.1:9/none.tdl' } }), 400, /fetching http:\/\/127\.0\.0\.1:9\/none\.tdl failed/));

  test('no files left behind by rejected requests', async () => {
    const storage = await readdir(join(d.dataDir, 'storage')).catch(() => []);
    assert.deepEqual(storage, []);
  });
});
