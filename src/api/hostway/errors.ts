import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type ErrorCode } from '../../domain/errors.js';

/** A Hostway error with its fault key (docs' Zone/ImageList pages). */
export class HostwayError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const FAULT: Record<number, string> = {
  400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound', 406: 'notAcceptable', 409: 'conflict',
  413: 'overLimit', 415: 'badMediaType',
};

/** WebOb's HTTPUnauthorized text, as the Hostway docs show it. */
export const UNAUTHORIZED_BODY = '401 Unauthorized\n\nThis server could not verify that you are authorized to access the document you requested. '
  + 'Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.\n\n';

const NOT_FOUND = 'Resource not found';
const SERVER_ERROR = 'Internal server error';

/** Every product error code in Hostway's terms: status and message (not-found is always "Resource not found"). */
export const HOSTWAY_ERRORS: Record<ErrorCode, { status: number; message?: string }> = {
  REQUEST_INVALID: { status: 400 }, TEMPLATE_INVALID: { status: 400 }, TARGET_UNKNOWN: { status: 400 }, OS_UNSUPPORTED: { status: 400 },
  CATALOG_QUERY_INVALID: { status: 400 }, CATALOG_VALIDATION_FAILED: { status: 400 }, CONFIG_INVALID: { status: 500, message: SERVER_ERROR },
  AUTH_FAILED: { status: 401 }, CATALOG_FORBIDDEN: { status: 403 }, CATALOG_QUOTA_EXCEEDED: { status: 403 },
  IMAGE_NOT_FOUND: { status: 404, message: NOT_FOUND }, PLUGIN_NOT_FOUND: { status: 404, message: NOT_FOUND },
  TARGET_NOT_FOUND: { status: 404, message: NOT_FOUND }, PROVIDER_NOT_FOUND: { status: 404, message: NOT_FOUND },
  CATALOG_NOT_FOUND: { status: 404, message: NOT_FOUND },
  ACCEPT_UNSUPPORTED: { status: 406 }, BUILD_CANCELLED: { status: 409 }, IMAGE_IN_USE: { status: 409 }, JOB_LEASE_LOST: { status: 409 }, STORE_UNAVAILABLE: { status: 503 }, REQUEST_TOO_LARGE: { status: 413 }, MEDIA_TYPE_UNSUPPORTED: { status: 415 },
  TOOL_MISSING: { status: 500, message: SERVER_ERROR }, TOOL_FAILED: { status: 500, message: SERVER_ERROR },
  BUILD_FAILED: { status: 500, message: SERVER_ERROR }, JOB_DEPENDENCY_FAILED: { status: 500, message: SERVER_ERROR },
  PROVIDER_FAILED: { status: 500, message: SERVER_ERROR }, INTERNAL: { status: 500, message: SERVER_ERROR },
};

export function sendHostwayError(reply: FastifyReply, status: number, message: string): FastifyReply {
  const key = FAULT[status] ?? 'serverError';
  return reply.code(status).type('application/json').send({ [key]: { guid: '', message, code: status, details: '' } });
}

export function notFound(_req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendHostwayError(reply, 404, NOT_FOUND);
}

export function hostwayErrorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof HostwayError) { sendHostwayError(reply, error.status, error.message); return; }
  if (isAppError(error)) {
    const row = HOSTWAY_ERRORS[error.code];
    if (row.status >= 500) req.log.error({ err: error }, 'hostway request failed');
    sendHostwayError(reply, row.status, row.message ?? error.message);
    return;
  }
  if (error.statusCode && error.statusCode < 500) { sendHostwayError(reply, error.statusCode, error.message); return; }
  req.log.error({ err: error }, 'hostway request failed');
  sendHostwayError(reply, 500, SERVER_ERROR);
}
