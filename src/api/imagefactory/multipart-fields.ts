import type { FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';

/** Most parts one form may carry; far above any real form (seven fields), far below a hostile one. */
const MAX_PARTS = 100;

/**
 * Reads a multipart/form-data body into its fields (uploaded files are drained and ignored, as in the
 * original), so that broken bodies are a 400 naming the problem and oversized ones a 413 like every
 * other content type: @fastify/multipart reads the raw stream itself, so Fastify's bodyLimit does not
 * apply, and busboy's own errors are plain Errors that would otherwise become 500s.
 */
export async function readMultipartFields(req: FastifyRequest, bodyLimit: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length']);
  if (declared > bodyLimit) throw new AppError('REQUEST_TOO_LARGE', 'Request body is too large.');
  const fields: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  let bytes = 0;
  let parts = 0;
  try {
    const limits = { fieldSize: bodyLimit, fileSize: bodyLimit, parts: MAX_PARTS };
    for await (const part of req.parts({ limits })) {
      parts++;
      if (part.type === 'file') {
        for await (const chunk of part.file) {
          bytes += (chunk as Buffer).length;
          if (bytes > bodyLimit) throw new AppError('REQUEST_TOO_LARGE', 'Request body is too large.');
        }
        continue;
      }
      if (part.valueTruncated) throw new AppError('REQUEST_TOO_LARGE', 'Request body is too large.');
      bytes += Buffer.byteLength(String(part.value));
      if (bytes > bodyLimit) throw new AppError('REQUEST_TOO_LARGE', 'Request body is too large.');
      const prior = fields[part.fieldname];
      fields[part.fieldname] = prior === undefined ? part.value : Array.isArray(prior) ? [...prior, part.value] : [prior, part.value];
    }
  } catch (e) {
    if (parts === 0 && /Unexpected end of (form|multipart data)/.test((e as Error).message)) throw noParts(req);
    throw translate(e);
  }
  if (parts === 0 && (declared > 0 || req.headers['transfer-encoding'])) throw noParts(req);
  return { ...fields };
}

function translate(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const err = e as { statusCode?: number; message?: string; code?: string };
  if (err.statusCode === 413) return new AppError('REQUEST_TOO_LARGE', 'Request body is too large.', { cause: e });
  if (err.code === 'FST_PROTO_VIOLATION') return new AppError('REQUEST_INVALID', 'multipart/form-data body is malformed: a field is named after an Object.prototype property', { cause: e });
  const why = err.message === 'Multipart: Boundary not found' ? 'Content-Type has no boundary parameter'
    : /Unexpected end of (form|multipart data)/.test(err.message ?? '') ? 'it ends before the closing boundary delimiter (parts must use CRLF line endings and end with "--boundary--")'
    : err.message ?? 'unreadable';
  return new AppError('REQUEST_INVALID', `multipart/form-data body is malformed: ${why}`, { cause: e });
}

function noParts(req: FastifyRequest): AppError {
  const b = boundaryOf(req);
  return new AppError('REQUEST_INVALID', `multipart/form-data body is malformed: no complete part delimited by the boundary "--${b}" given in Content-Type (each part starts with "--${b}" and CRLF; the body ends with "--${b}--")`);
}

function boundaryOf(req: FastifyRequest): string {
  return /boundary="?([^";]+)"?/i.exec(req.headers['content-type'] ?? '')?.[1] ?? '';
}
