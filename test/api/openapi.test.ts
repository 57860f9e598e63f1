import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import { mockTemplate, type TestDaemon } from '../helpers/test-daemon.js';
import { basic, buildTargetImage, eventually, startCatalogDaemon } from '../catalog/catalog-fixtures.js';

type Doc = { openapi: string; paths: Record<string, Record<string, { summary?: string; tags?: string[]; responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };

describe('/imagefactory/openapi.json', () => {
  let d: TestDaemon;
  let doc: Doc;
  before(async () => {
    d = await startCatalogDaemon({ file: { foreman_users: { admin: 'pw' }, hostway_users: { user: 'pw' }, nova_tokens: { tok: 'proj' } } });
    const res = await fetch(`${d.url}/imagefactory/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    doc = await res.json() as Doc;
  });
  after(async () => d?.stop());

  test('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', async () => {
    assert.equal(doc.openapi, '3.1.0');
    const result = await new Validator().validate(doc as never);
    assert.deepEqual(result.errors ?? [], []);
    assert.equal(result.valid, true);
  });

  test('every registered route of the four APIs and /metrics is in it, with a summary, a tag and its responses', () => {
    // Every route Fastify registered (its onRoute events), minus HEAD twins and the 405 handlers.
    const registered = d.container.app.registeredRoutes.filter((r) => r.method !== 'HEAD' && !r.hidden);
    assert.ok(registered.length > 100, String(registered.length));
    const missing: string[] = [];
    for (const { method, url } of registered) {
      const path = url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
      // A prefixed '/' route answers with and without the slash; the document names it once, with it.
      const op = (doc.paths[path] ?? doc.paths[`${path}/`])?.[method.toLowerCase()];
      if (!op || !op.summary || !op.tags?.length || !Object.keys(op.responses ?? {}).length) missing.push(`${method} ${url}`);
    }
    assert.deepEqual(missing, []);
    for (const tag of ['Image Factory', 'Nova', 'Foreman', 'Hostway', 'Metrics']) {
      assert.ok(Object.values(doc.paths).some((p) => Object.values(p).some((op) => op.tags?.includes(tag))), tag);
    }
  });

  test('real responses of the main routes match their documented schemas (ajv)', async () => {
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    const check = async (path: string, docPath: string, status: number, headers: Record<string, string> = {}, init: RequestInit = {}) => {
      const res = await fetch(`${d.url}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> ?? {}) } });
      assert.equal(res.status, status, `${path}: ${res.status}`);
      const method = (init.method ?? 'GET').toLowerCase();
      const schema = doc.paths[docPath]?.[method]?.responses?.[String(status)]?.content?.['application/json']?.schema;
      assert.ok(schema, `${method} ${docPath} ${status} has a JSON schema`);
      const body = await res.json();
      const validate = ajv.compile(schema);
      assert.ok(validate(body), `${method} ${path}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
    };
    const targetId = await buildTargetImage(d.url, 'openapi-image');
    const target = (await (await fetch(`${d.url}/imagefactory/target_images/${targetId}`)).json()).target_image;
    const json = { 'content-type': 'application/json' };
    await check('/imagefactory/base_images', '/imagefactory/base_images', 200);
    await check(`/imagefactory/base_images/${target.base_image.id}`, '/imagefactory/base_images/{id}', 200);
    await check(`/imagefactory/target_images/${targetId}`, '/imagefactory/target_images/{id}', 200);
    await check('/imagefactory/target_images', '/imagefactory/target_images', 200);
    await check('/imagefactory/provider_images', '/imagefactory/provider_images', 202, json,
      { method: 'POST', body: JSON.stringify({ provider_image: { target: 'mock', provider: 'p', credentials: 'c', target_image_id: targetId } }) });
    await check('/imagefactory/base_images', '/imagefactory/base_images', 202, json,
      { method: 'POST', body: JSON.stringify({ base_image: { template: mockTemplate('openapi-post') } }) });
    const created = await (await fetch(`${d.url}/imagefactory/provider_images`)).json();
    assert.ok(created.provider_images.length >= 1);

    const nova = { 'x-auth-token': 'tok' };
    await eventually(async () => ((await (await fetch(`${d.url}/v2.1/images`, { headers: nova })).json()).images ?? []).length > 0, 'catalog sync');
    await check('/v2.1/images', '/v2.1/images', 200, nova);
    await check('/v2.1/images/detail', '/v2.1/images/detail', 200, nova);
    const novaId = (await (await fetch(`${d.url}/v2.1/images`, { headers: nova })).json()).images[0].id;
    await check(`/v2.1/images/${novaId}`, '/v2.1/images/{id}', 200, nova);
    await check(`/v2.1/images/${novaId}`.replace(novaId, 'nope'), '/v2.1/images/{id}', 404, nova);

    const foreman = { authorization: basic('admin', 'pw') };
    const cr = (await (await fetch(`${d.url}/api/compute_resources`, { headers: foreman })).json()).results[0];
    await check(`/api/compute_resources/${cr.id}/images`, '/api/compute_resources/{parent_id}/images', 200, foreman);
    const fImage = (await (await fetch(`${d.url}/api/compute_resources/${cr.id}/images`, { headers: foreman })).json()).results[0];
    await check(`/api/compute_resources/${cr.id}/images/${fImage.id}`, '/api/compute_resources/{parent_id}/images/{id}', 200, foreman);

    const hostway = { authorization: basic('user', 'pw') };
    await check('/images', '/images', 200, hostway);
    await check('/images/detail', '/images/detail', 200, hostway);
  });

  test('route schemas do not change answers: bad paths and bodies keep their own 4xx shapes', async () => {
    const res = await fetch(`${d.url}/imagefactory/base_images/%20`, { method: 'GET' });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const bad = await fetch(`${d.url}/imagefactory/base_images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"base_image": 5}' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /base_image/);
  });
});

