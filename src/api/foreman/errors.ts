import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../domain/errors.js';
import { isCatalogError, type CatalogError } from '../../catalog/catalog-errors.js';

/** A Foreman error with its exact body (some are wrapped in "error", some are not). */
export class ForemanError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(typeof body === 'object' ? JSON.stringify(body) : String(body));
  }

  static message(status: number, message: string): ForemanError {
    return new ForemanError(status, { error: { message } });
  }

  static imageNotFound(id: string): ForemanError {
    return ForemanError.message(404, `Resource image not found by id '${id}'`);
  }
}

/** 422 in Foreman's shape: {"error": {id, errors, full_messages}} or a plain message (name lookups). */
export function validationError(e: CatalogError, id: number | null): ForemanError {
  if (!e.fields) return ForemanError.message(422, e.message);
  const full = e.message.replace(/^Validation failed: /, '').split(', ');
  return new ForemanError(422, { error: { id, errors: e.fields, full_messages: full } });
}

/** Every error of the Foreman surface in Foreman's bodies (app/views/api/v2/errors). */
export function foremanErrorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof ForemanError) { reply.code(error.status).type('application/json; charset=utf-8').send(error.body); return; }
  if (isCatalogError(error)) {
    const e = error;
    const mapped = e.kind === 'validation' ? validationError(e, null)
      : e.kind === 'invalid' ? new ForemanError(400, { error: { message: e.message, class: 'ScopedSearch::QueryNotSupported' } })
      : ForemanError.message(e.kind === 'not-found' ? 404 : e.kind === 'conflict' ? 409 : 403, e.message);
    reply.code(mapped.status).type('application/json; charset=utf-8').send(mapped.body);
    return;
  }
  if (isAppError(error) && error.category === 'transient') { reply.code(503).send({ error: { message: error.message } }); return; } // database unreachable
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') { reply.code(413).send({ error: { message: 'Request body is too large' } }); return; }
  if (error.statusCode && error.statusCode < 500) { reply.code(error.statusCode).send({ error: { message: error.message } }); return; }
  req.log.error({ err: error }, 'foreman request failed');
  reply.code(500).send({ error: { message: 'Internal Server Error' } });
}
