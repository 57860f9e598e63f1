import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type ErrorCode } from '../../domain/errors.js';

/** A Nova fault: the status picks the fault name (wsgi.Fault). */
export class NovaFault extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const FAULT_NAMES: Record<number, string> = {
  400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound', 405: 'badMethod', 406: 'notAcceptable',
  409: 'conflictingRequest', 413: 'overLimit', 415: 'badMediaType', 429: 'overLimit', 501: 'notImplemented',
  503: 'serviceUnavailable',
};

const UNEXPECTED = 'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.';

/**
 * Every product error code in Nova's terms: the status picks the fault name, 4xx faults keep the
 * error's message ("Image not found.", "Invalid metadata key"), 5xx faults Nova's generic text.
 */
export const NOVA_ERROR_STATUS: Record<ErrorCode, number> = {
  REQUEST_INVALID: 400, TEMPLATE_INVALID: 400, TARGET_UNKNOWN: 400, OS_UNSUPPORTED: 400, CONFIG_INVALID: 500,
  CATALOG_QUERY_INVALID: 400, CATALOG_VALIDATION_FAILED: 400,
  AUTH_FAILED: 401, CATALOG_FORBIDDEN: 403, CATALOG_QUOTA_EXCEEDED: 403,
  IMAGE_NOT_FOUND: 404, PLUGIN_NOT_FOUND: 404, TARGET_NOT_FOUND: 404, PROVIDER_NOT_FOUND: 404, CATALOG_NOT_FOUND: 404,
  ACCEPT_UNSUPPORTED: 406, BUILD_CANCELLED: 409, IMAGE_IN_USE: 409, JOB_LEASE_LOST: 409, STORE_UNAVAILABLE: 503, REQUEST_TOO_LARGE: 413, MEDIA_TYPE_UNSUPPORTED: 415,
  TOOL_MISSING: 500, TOOL_FAILED: 500, BUILD_FAILED: 500, JOB_DEPENDENCY_FAILED: 500, PROVIDER_FAILED: 500, INTERNAL: 500,
};

export const GENERIC_NOT_FOUND = 'The resource could not be found.';

export function sendFault(reply: FastifyReply, status: number, message: string): FastifyReply {
  const name = FAULT_NAMES[status] ?? 'computeFault';
  return reply.code(status).type('application/json').send({ [name]: { code: status, message } });
}

/** Every error of the Nova surface leaves as a fault body; Fastify's own replies never leak through. */
export function novaErrorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof NovaFault) { sendFault(reply, error.status, error.message); return; }
  if (isAppError(error)) {
    const status = NOVA_ERROR_STATUS[error.code];
    if (status >= 500) req.log.error({ err: error }, 'nova request failed');
    // A store outage (transient) names what is down, never a password; other 5xx texts stay private.
    sendFault(reply, status, status >= 500 && error.category !== 'transient' ? UNEXPECTED : error.message);
    return;
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': sendFault(reply, 413, 'Request is too large.'); return;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': sendFault(reply, 415, 'Unsupported Content-Type'); return;
    default:
      if (error.statusCode && error.statusCode < 500) { sendFault(reply, error.statusCode, error.message); return; }
      req.log.error({ err: error }, 'nova request failed');
      sendFault(reply, 500, UNEXPECTED);
  }
}
