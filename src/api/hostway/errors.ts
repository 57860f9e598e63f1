import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../domain/errors.js';
import { isCatalogError } from '../../catalog/catalog-errors.js';

/** A Hostway error with its fault key (docs' Zone/ImageList pages). */
export class HostwayError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const FAULT: Record<number, string> = { 400: 'badRequest', 403: 'forbidden', 404: 'itemNotFound' };

/** WebOb's HTTPUnauthorized text, as the Hostway docs show it. */
export const UNAUTHORIZED_BODY = '401 Unauthorized\n\nThis server could not verify that you are authorized to access the document you requested. '
  + 'Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.\n\n';

export function sendHostwayError(reply: FastifyReply, status: number, message: string): FastifyReply {
  const key = FAULT[status] ?? 'serverError';
  return reply.code(status).type('application/json').send({ [key]: { guid: '', message, code: status, details: '' } });
}

export function notFound(_req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendHostwayError(reply, 404, 'Resource not found');
}

export function hostwayErrorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof HostwayError) { sendHostwayError(reply, error.status, error.message); return; }
  if (isCatalogError(error) && error.kind === 'not-found') { sendHostwayError(reply, 404, 'Resource not found'); return; }
  if (isAppError(error) && error.category === 'transient') { sendHostwayError(reply, 503, error.message); return; } // database unreachable
  if (error.statusCode && error.statusCode < 500) { sendHostwayError(reply, error.statusCode, error.message); return; }
  req.log.error({ err: error }, 'hostway request failed');
  sendHostwayError(reply, 500, 'Internal server error');
}
