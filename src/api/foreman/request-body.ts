import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../domain/json-depth.js';
import { strictUtf8 } from '../../domain/strict-utf8.js';
import { ForemanError } from './errors.js';

/** Bodies are kept as text and parsed by `jsonBody`, so each failure gets Foreman's own reply. */
export function registerForemanBodyParsing(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => {
    const text = strictUtf8(body as Buffer);
    if (text === null) done(new ForemanError(400, { status: 400, error: 'There was a problem in the JSON you submitted: the body is not valid UTF-8' }), undefined);
    else done(null, text);
  });
}

/**
 * POST/PUT/PATCH bodies must be JSON (415 otherwise, api/v2/base_controller.rb); bad JSON is the
 * unwrapped 400 of Rails' ParamsParser. An empty body is an empty object.
 */
export function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const ct = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(ct)) {
    throw ForemanError.message(415, `Media type in 'Content-Type: ${ct}' is unsupported in API v2 for POST and PUT requests. Please use 'Content-Type: application/json'.`);
  }
  const text = typeof req.body === 'string' ? req.body : '';
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ForemanError(400, { status: 400, error: `There was a problem in the JSON you submitted: ${(e as Error).message}` });
  }
  if (jsonTooDeep(parsed)) {
    throw new ForemanError(400, { status: 400, error: `There was a problem in the JSON you submitted: nested more than ${MAX_JSON_DEPTH} levels deep` });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ForemanError(400, { status: 400, error: 'There was a problem in the JSON you submitted: a JSON object is expected' });
  }
  return parsed as Record<string, unknown>;
}

/**
 * Rails' wrap_parameters: `{"image": {...}}`, or the attributes at top level. A `key` that is there
 * but not an object is a 400; with `required` (params.require), so is a body with neither.
 */
export function wrapped(body: Record<string, unknown>, key: string, attributes: readonly string[], required = false): Record<string, unknown> {
  const inner = Object.hasOwn(body, key) ? body[key] : undefined;
  if (inner && typeof inner === 'object' && !Array.isArray(inner)) return inner as Record<string, unknown>;
  const flat = Object.fromEntries(Object.entries(body).filter(([k]) => attributes.includes(k)));
  if (inner !== undefined || (required && Object.keys(flat).length === 0)) {
    throw ForemanError.message(400, `param is missing or the value is empty: ${key} (send {"${key}": {...attributes}})`);
  }
  return flat;
}
