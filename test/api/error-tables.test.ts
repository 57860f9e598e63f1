import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { FOREMAN_ERRORS, foremanErrorHandler } from '../../src/api/foreman/errors.js';
import { HOSTWAY_ERRORS, hostwayErrorHandler } from '../../src/api/hostway/errors.js';
import { imageFactoryErrorHandler, IMAGE_FACTORY_ERROR_STATUS } from '../../src/api/imagefactory/error-handler.js';
import { NOVA_ERROR_STATUS, novaErrorHandler } from '../../src/api/nova/faults.js';
import { AppError, ERROR_CATALOG, type ErrorCode } from '../../src/domain/errors.js';

type Handler = (e: FastifyError, req: FastifyRequest, reply: FastifyReply) => void;
const CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];
const SURFACES: [string, object, Handler][] = [
  ['imagefactory', IMAGE_FACTORY_ERROR_STATUS, imageFactoryErrorHandler],
  ['nova', NOVA_ERROR_STATUS, novaErrorHandler],
  ['foreman', FOREMAN_ERRORS, foremanErrorHandler],
  ['hostway', HOSTWAY_ERRORS, hostwayErrorHandler],
];

/** Renders `new AppError(code)` through a surface's real error handler. */
async function render(handler: Handler, error: AppError): Promise<{ status: number; body: string }> {
  const app = Fastify({ logger: false });
  app.setErrorHandler(handler);
  app.get('/', async () => { throw error; });
  const res = await app.inject({ method: 'GET', url: '/' });
  await app.close();
  return { status: res.statusCode, body: res.body };
}

describe('one error catalog, one table per API', () => {
  for (const [name, table] of SURFACES) {
    test(`${name} maps every error code of ERROR_CATALOG`, () => {
      const missing = CODES.filter((c) => !Object.hasOwn(table, c));
      assert.deepEqual(missing, [], `${name} has no row for ${missing.join(', ')}`);
      const extra = Object.keys(table).filter((c) => !Object.hasOwn(ERROR_CATALOG, c));
      assert.deepEqual(extra, [], `${name} maps codes that are not in ERROR_CATALOG`);
    });
  }

  test('every client-caused code renders below 500 on every API', async () => {
    const serverSide = new Set<ErrorCode>(['TOOL_MISSING', 'TOOL_FAILED', 'BUILD_FAILED', 'JOB_DEPENDENCY_FAILED', 'PROVIDER_FAILED', 'INTERNAL', 'CONFIG_INVALID', 'STORE_UNAVAILABLE']);
    for (const [name, , handler] of SURFACES) {
      for (const code of CODES.filter((c) => !serverSide.has(c))) {
        const { status } = await render(handler, new AppError(code));
        assert.ok(status >= 400 && status < 500, `${name} renders ${code} as ${status}`);
      }
    }
  });

  test("the factory's IMAGE_NOT_FOUND is each catalog API's own 404 shape", async () => {
    const e = () => new AppError('IMAGE_NOT_FOUND', 'No BaseImage found with id: x');
    const nova = await render(novaErrorHandler, e());
    assert.equal(nova.status, 404);
    assert.deepEqual(JSON.parse(nova.body), { itemNotFound: { code: 404, message: 'No BaseImage found with id: x' } });
    const foreman = await render(foremanErrorHandler, e());
    assert.equal(foreman.status, 404);
    assert.deepEqual(JSON.parse(foreman.body), { error: { message: 'No BaseImage found with id: x' } });
    const hostway = await render(hostwayErrorHandler, e());
    assert.equal(hostway.status, 404);
    assert.deepEqual(JSON.parse(hostway.body), { itemNotFound: { guid: '', message: 'Resource not found', code: 404, details: '' } });
  });

  test('Foreman keeps its special bodies: 422 validation with fields, 400 QueryNotSupported', async () => {
    const v = await render(foremanErrorHandler, new AppError('CATALOG_VALIDATION_FAILED', 'Validation failed: Name can\'t be blank', { details: { fields: { name: ["can't be blank"] } } }));
    assert.equal(v.status, 422);
    assert.deepEqual(JSON.parse(v.body), { error: { id: null, errors: { name: ["can't be blank"] }, full_messages: ["Name can't be blank"] } });
    const q = await render(foremanErrorHandler, new AppError('CATALOG_QUERY_INVALID', 'bad query'));
    assert.equal(q.status, 400);
    assert.equal(JSON.parse(q.body).error.class, 'ScopedSearch::QueryNotSupported');
  });

  test('a 5xx code never leaks its message', async () => {
    const nova = await render(novaErrorHandler, new AppError('INTERNAL', 'secret detail'));
    assert.equal(nova.status, 500);
    assert.doesNotMatch(nova.body, /secret detail/);
    const foreman = await render(foremanErrorHandler, new AppError('TOOL_FAILED', 'secret detail'));
    assert.doesNotMatch(foreman.body, /secret detail/);
  });
});
