import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../domain/json-depth.js';
import { strictUtf8 } from '../../domain/strict-utf8.js';
import { NovaFault } from './faults.js';

const JSON_TYPES = ['application/json', 'application/vnd.openstack.compute+json'];

/**
 * Nova's body rules (wsgi.py): no Content-Type or text/plain is read as JSON; other types than the
 * two JSON ones are 415; unparseable JSON is 400 "Malformed request body". Bodies are kept as text
 * here and parsed by `jsonBody`, so each rule gives Nova's own message.
 */
export function registerNovaBodyParsing(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => {
    const text = strictUtf8(body as Buffer);
    if (text === null) done(new NovaFault(400, 'Malformed request body: not valid UTF-8'), undefined);
    else done(null, text);
  });
}

export function jsonBody(req: FastifyRequest): unknown {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type && type !== 'text/plain' && !JSON_TYPES.includes(type)) throw new NovaFault(415, 'Unsupported Content-Type');
  const text = typeof req.body === 'string' ? req.body : '';
  if (!text.trim()) throw new NovaFault(400, 'Malformed request body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new NovaFault(400, 'Malformed request body');
  }
  if (jsonTooDeep(parsed)) throw new NovaFault(400, `Malformed request body: nested more than ${MAX_JSON_DEPTH} levels deep`);
  return parsed;
}
