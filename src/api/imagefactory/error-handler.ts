import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type ErrorCode } from '../../domain/errors.js';

/** Every product error code as Image Factory's plain-text reply (D20): its status; the body is the message. */
export const IMAGE_FACTORY_ERROR_STATUS: Record<ErrorCode, number> = {
  REQUEST_INVALID: 400, TEMPLATE_INVALID: 400, TARGET_UNKNOWN: 400, OS_UNSUPPORTED: 400, CONFIG_INVALID: 400,
  CATALOG_QUERY_INVALID: 400, CATALOG_VALIDATION_FAILED: 400,
  AUTH_FAILED: 401, CATALOG_FORBIDDEN: 403, CATALOG_QUOTA_EXCEEDED: 403,
  IMAGE_NOT_FOUND: 404, PLUGIN_NOT_FOUND: 404, TARGET_NOT_FOUND: 404, PROVIDER_NOT_FOUND: 404, CATALOG_NOT_FOUND: 404,
  ACCEPT_UNSUPPORTED: 406, BUILD_CANCELLED: 409, IMAGE_IN_USE: 409, JOB_LEASE_LOST: 409, STORE_UNAVAILABLE: 503, REQUEST_TOO_LARGE: 413, MEDIA_TYPE_UNSUPPORTED: 415,
  TOOL_MISSING: 500, TOOL_FAILED: 500, BUILD_FAILED: 500, JOB_DEPENDENCY_FAILED: 500, PROVIDER_FAILED: 500, INTERNAL: 500,
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
    const status = IMAGE_FACTORY_ERROR_STATUS[error.code];
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
    const text = FASTIFY_MESSAGES[error.code] ?? error.message;
    const detail = error.code?.startsWith('FST_ERR_CTP') && error instanceof SyntaxError ? ` (${error.message})` : '';
    reply.code(status).send(`${text}${detail}`);
    return;
  }
  request.log.error({ err: error }, 'internal error');
  reply.code(500).send('Internal server error.');
}
