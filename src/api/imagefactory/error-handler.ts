import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type ErrorCategory } from '../../domain/errors.js';

/** Image Factory renders errors as plain text (D20) with these statuses. */
const STATUS: Record<ErrorCategory, number> = {
  'invalid-input': 400,
  'not-found': 404,
  conflict: 409,
  unauthorized: 401,
  unsupported: 415,
  'not-acceptable': 406,
  'too-large': 413,
  'dependency-failed': 500,
  transient: 503,
  cancelled: 409,
  internal: 500,
};

/** Fastify's own client errors (bad JSON, body too large, bad media type) keep their 4xx. */
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type: send application/json, application/xml, application/x-www-form-urlencoded or multipart/form-data.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is empty.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Request body is not valid JSON.',
};

export function imageFactoryErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.type('text/plain; charset=UTF-8');
  if (isAppError(error)) {
    const status = STATUS[error.category];
    if (error.category === 'unauthorized') {
      reply.header('WWW-Authenticate', 'OAuth realm="imagefactory"');
      request.log.info({ reason: error.details?.reason }, 'OAuth authentication failed');
    }
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    reply.code(status).send(status >= 500 && error.category === 'internal' ? 'Internal server error.' : error.message);
    return;
  }
  const status = error.statusCode ?? 500;
  if (status < 500) {
    const text = FASTIFY_MESSAGES[error.code] ?? (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'Request body is not valid JSON.' : error.message);
    const detail = error.code?.startsWith('FST_ERR_CTP') && error instanceof SyntaxError ? ` (${error.message})` : '';
    reply.code(status).send(`${text}${detail}`);
    return;
  }
  request.log.error({ err: error }, 'internal error');
  reply.code(500).send('Internal server error.');
}
