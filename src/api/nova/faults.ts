import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../domain/errors.js';
import { isCatalogError, type CatalogErrorKind } from '../../catalog/catalog-errors.js';

/** A Nova fault: the status picks the fault name (wsgi.Fault). */
export class NovaFault extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const FAULT_NAMES: Record<number, string> = {
  400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound', 405: 'badMethod',
  409: 'conflictingRequest', 413: 'overLimit', 415: 'badMediaType', 429: 'overLimit', 501: 'notImplemented',
  503: 'serviceUnavailable',
};

/** Catalog failures in Nova's terms; `not-found` keeps the catalog's message ("Image not found.", "Invalid metadata key"). */
const CATALOG_STATUS: Record<CatalogErrorKind, number> = {
  'not-found': 404, invalid: 400, forbidden: 403, quota: 403, validation: 400, conflict: 409,
};

export const GENERIC_NOT_FOUND = 'The resource could not be found.';

export function sendFault(reply: FastifyReply, status: number, message: string): FastifyReply {
  const name = FAULT_NAMES[status] ?? 'computeFault';
  return reply.code(status).type('application/json').send({ [name]: { code: status, message } });
}

/** Every error of the Nova surface leaves as a fault body; Fastify's own replies never leak through. */
export function novaErrorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof NovaFault) { sendFault(reply, error.status, error.message); return; }
  if (isCatalogError(error)) { sendFault(reply, CATALOG_STATUS[error.kind], error.message); return; }
  if (isAppError(error) && error.category === 'transient') { sendFault(reply, 503, error.message); return; } // database unreachable
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': sendFault(reply, 413, 'Request is too large.'); return;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': sendFault(reply, 415, 'Unsupported Content-Type'); return;
    default:
      if (error.statusCode && error.statusCode < 500) { sendFault(reply, error.statusCode, error.message); return; }
      req.log.error({ err: error }, 'nova request failed');
      sendFault(reply, 500, 'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.');
  }
}
