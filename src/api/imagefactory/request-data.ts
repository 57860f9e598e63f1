import { AppError } from '../../domain/errors.js';
import type { ImageKind } from '../../domain/image.js';

/** What a POST or DELETE body carried, after the original's wrapper rule (imagefactory-api.md §4). */
export type RequestFields = Record<string, unknown>;

export function isFormContentType(contentType: string | undefined): boolean {
  const ct = (contentType ?? '').toLowerCase();
  return ct.includes('application/x-www-form-urlencoded') || ct.includes('multipart/form-data');
}

/**
 * POST: form bodies are flat; JSON and XML bodies must be wrapped in the singular type name.
 * Missing or empty wrapper → 400 "<type> not found in request." (KEEP).
 */
export function createFields(kind: ImageKind, body: unknown, contentType: string | undefined): RequestFields {
  const data = isFormContentType(contentType) ? body : (body as Record<string, unknown> | null)?.[kind];
  if (!data || typeof data !== 'object' || Array.isArray(data) || Object.keys(data).length === 0) {
    throw new AppError('REQUEST_INVALID', `${kind} not found in request.`);
  }
  return normalizeFields(data as RequestFields);
}

/** DELETE: the body is optional; an object under the type name wins over the flat body. */
export function deleteFields(kind: ImageKind, body: unknown): RequestFields {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const wrapped = (body as Record<string, unknown>)[kind];
  const data = wrapped && typeof wrapped === 'object' && !Array.isArray(wrapped) ? wrapped : body;
  return normalizeFields(data as RequestFields);
}

/** `parameters` given as a JSON-object string (form posts, D8) is decoded; anything else must be an object. */
function normalizeFields(fields: RequestFields): RequestFields {
  const out = { ...fields };
  const p = out.parameters;
  if (p === undefined || p === null || p === '') {
    out.parameters = {};
  } else if (typeof p === 'string') {
    let decoded: unknown;
    try { decoded = JSON.parse(p); } catch { decoded = undefined; }
    if (!decoded || typeof decoded !== 'object' || Array.isArray(decoded)) {
      throw new AppError('REQUEST_INVALID', 'parameters must be a JSON object (form posts may send it as a JSON string)');
    }
    out.parameters = decoded;
  } else if (typeof p !== 'object' || Array.isArray(p)) {
    throw new AppError('REQUEST_INVALID', 'parameters must be an object');
  }
  return out;
}

/** A string field, or undefined; other types are a 400 naming the field. */
export function stringField(fields: RequestFields, name: string): string | undefined {
  const v = fields[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new AppError('REQUEST_INVALID', `${name} must be a string`);
  return v.trim();
}
