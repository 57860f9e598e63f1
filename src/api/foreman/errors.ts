import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppError, type ErrorCode } from '../../domain/errors.js';

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
export function validationError(e: AppError, id: number | null): ForemanError {
  const fields = e.details?.fields as Record<string, string[]> | undefined;
  if (!fields) return ForemanError.message(422, e.message);
  const full = e.message.replace(/^Validation failed: /, '').split(', ');
  return new ForemanError(422, { error: { id, errors: fields, full_messages: full } });
}

type Row = number | ((e: AppError) => ForemanError);
const INTERNAL = 'Internal Server Error';

/**
 * Every product error code in Foreman's terms (app/views/api/v2/errors): a status with the plain
 * `{"error": {"message"}}` body, or a builder for Foreman's special bodies.
 */
export const FOREMAN_ERRORS: Record<ErrorCode, Row> = {
  REQUEST_INVALID: 400, TEMPLATE_INVALID: 400, TARGET_UNKNOWN: 400, OS_UNSUPPORTED: 400, CONFIG_INVALID: 500,
  CATALOG_QUERY_INVALID: (e) => new ForemanError(400, { error: { message: e.message, class: 'ScopedSearch::QueryNotSupported' } }),
  CATALOG_VALIDATION_FAILED: (e) => validationError(e, null),
  AUTH_FAILED: 401, CATALOG_FORBIDDEN: 403, CATALOG_QUOTA_EXCEEDED: 403,
  IMAGE_NOT_FOUND: 404, PLUGIN_NOT_FOUND: 404, TARGET_NOT_FOUND: 404, PROVIDER_NOT_FOUND: 404, CATALOG_NOT_FOUND: 404,
  ACCEPT_UNSUPPORTED: 406, BUILD_CANCELLED: 409, IMAGE_IN_USE: 409, JOB_LEASE_LOST: 409, STORE_UNAVAILABLE: 503, REQUEST_TOO_LARGE: 413, MEDIA_TYPE_UNSUPPORTED: 415,
  TOOL_MISSING: 500, TOOL_FAILED: 500, BUILD_FAILED: 500, JOB_DEPENDENCY_FAILED: 500, PROVIDER_FAILED: 500, INTERNAL: 500,
};

export function foremanErrorOf(e: AppError): ForemanError {
  const row = FOREMAN_ERRORS[e.code];
  if (typeof row === 'function') return row(e);
  return ForemanError.message(row, row >= 500 && e.category !== 'transient' ? INTERNAL : e.message);
}

/** Every error of the Foreman surface in Foreman's bodies (app/views/api/v2/errors). */
export function foremanErrorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const send = (e: ForemanError) => reply.code(e.status).type('application/json; charset=utf-8').send(e.body);
  if (error instanceof ForemanError) { send(error); return; }
  if (isAppError(error)) {
    const mapped = foremanErrorOf(error);
    if (mapped.status >= 500) req.log.error({ err: error }, 'foreman request failed');
    send(mapped);
    return;
  }
  if (isAppError(error) && error.category === 'transient') { reply.code(503).send({ error: { message: error.message } }); return; } // database unreachable
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') { reply.code(413).send({ error: { message: 'Request body is too large' } }); return; }
  if (error.statusCode && error.statusCode < 500) { reply.code(error.statusCode).send({ error: { message: error.message } }); return; }
  req.log.error({ err: error }, 'foreman request failed');
  reply.code(500).send({ error: { message: INTERNAL } });
}
