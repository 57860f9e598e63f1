import { Readable } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { ImportRequest } from '../../../core/images/import-base-image.js';
import { AppError } from '../../../domain/errors.js';
import { jsonTooDeep } from '../../../domain/json-depth.js';
import type { ImageFactoryApiDeps } from '../api-deps.js';
import { imageFactoryErrorHandler } from '../error-handler.js';
import { registerMethodNotAllowed } from '../method-not-allowed.js';
import { presentCreated } from '../present.js';
import { apiRoot, sendDocument } from '../reply.js';

export const IMPORT_PATH = '/imagefactory/base_images/import';

/**
 * POST /imagefactory/base_images/import: the disk is the raw request body (application/octet-stream),
 * streamed to disk by the use-case; name, os_name, os_version, arch, format, description and
 * parameters (a JSON object) are query fields, so OAuth signs them. The static path wins over
 * `/base_images/:id`, and ids are UUIDs, so nothing else is shadowed.
 */
export function registerImportRoutes(app: FastifyInstance, deps: ImageFactoryApiDeps): void {
  void app.register(async (scope) => {
    // Only in this scope: every body stays an unread stream (the OAuth check runs before it is read),
    // so any other type, or none, is refused with the import's own 415 before a byte is buffered.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    scope.setErrorHandler((error: FastifyError, req, reply) => imageFactoryErrorHandler(
      error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? notADisk(req.headers['content-type']) as unknown as FastifyError : error, req, reply));
    registerMethodNotAllowed(scope);
    scope.post(IMPORT_PATH, { config: { oauth: true } }, async (req, reply) => {
      const created = await deps.importBaseImage(importRequest(req));
      return sendDocument(req, reply, 202, presentCreated(created, `${apiRoot(req)}/base_images`));
    });
  });
}

const DISK_TYPE = 'application/octet-stream';

function notADisk(contentType: string | undefined): AppError {
  const given = contentType ? `Content-Type ${contentType.split(';')[0]!.trim()} is not accepted` : 'Content-Type is missing';
  return new AppError('MEDIA_TYPE_UNSUPPORTED', `Unsupported Content-Type: ${given}; the accepted type is ${DISK_TYPE}. Send the disk image itself as the request body; name, os_name, os_version, arch, format and parameters go in the query string.`);
}

function importRequest(req: FastifyRequest): ImportRequest {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== DISK_TYPE || !(req.body instanceof Readable)) throw notADisk(req.headers['content-type']);
  const query = req.query as Record<string, unknown>;
  const length = req.headers['content-length'];
  return {
    body: req.body,
    declaredBytes: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
    name: text(query, 'name'),
    osName: text(query, 'os_name'),
    osVersion: text(query, 'os_version'),
    arch: text(query, 'arch'),
    format: text(query, 'format'),
    description: text(query, 'description'),
    parameters: parameters(query.parameters),
  };
}

function text(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new AppError('REQUEST_INVALID', `${name} must be given once`);
  return v;
}

function parameters(value: unknown): Record<string, unknown> {
  if (value === undefined || value === '') return {};
  let decoded: unknown;
  try { decoded = typeof value === 'string' ? JSON.parse(value) : undefined; } catch { decoded = undefined; }
  if (!decoded || typeof decoded !== 'object' || Array.isArray(decoded) || jsonTooDeep(decoded)) {
    throw new AppError('REQUEST_INVALID', 'parameters must be a JSON object in the query string');
  }
  return decoded as Record<string, unknown>;
}
