import { AppError } from '../../domain/errors.js';
import type { ImageKind } from '../../domain/image.js';
import { jsonTooDeep } from '../../domain/json-depth.js';

/** What a POST or DELETE body carried, after the original's wrapper rule (imagefactory-api.md §4). */
export type RequestFields = Record<string, unknown>;

export function isFormContentType(contentType: string | undefined): boolean {
  const ct = (contentType ?? '').toLowerCase();
  return ct.includes('application/x-www-form-urlencoded') || ct.includes('multipart/form-data');
}

/** How the body arrived: decides whether `parameters` may be a JSON string (forms) or must be an object. */
type BodyKind = 'form' | 'xml' | 'json';

function bodyKind(contentType: string | undefined): BodyKind {
  if (isFormContentType(contentType)) return 'form';
  return /^\s*(application|text)\/xml\b/i.test(contentType ?? '') ? 'xml' : 'json';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * POST: form bodies are flat; XML bodies have the singular type name as root; JSON bodies are wrapped
 * in it or, like the original's form_data_for_content_type, flat (`{"template": …}`, what HTTPie's
 * `template=@f.tdl` sends). A wrapper that is present must be a non-empty object; an empty body is
 * a 400 "<type> not found in request." (KEEP).
 */
export function createFields(kind: ImageKind, body: unknown, contentType: string | undefined): RequestFields {
  const how = bodyKind(contentType);
  const data = how === 'form' ? body
    : isObject(body) && Object.hasOwn(body, kind) ? body[kind]
    : how === 'json' ? body
    : undefined;
  if (!isObject(data) || Object.keys(data).length === 0) {
    throw new AppError('REQUEST_INVALID', `${kind} not found in request.`);
  }
  return normalizeFields(data, how);
}

/** DELETE: the body is optional; an object under the type name wins over the flat body. */
export function deleteFields(kind: ImageKind, body: unknown, contentType: string | undefined): RequestFields {
  if (!isObject(body)) return {};
  const wrapped = Object.hasOwn(body, kind) ? body[kind] : undefined;
  return normalizeFields(isObject(wrapped) ? wrapped : body, bodyKind(contentType));
}

/**
 * `parameters` must be an object. Form posts carry it as a JSON-object string (D8); an empty XML
 * element is an empty object; null, a string in JSON, a list or a number is a 400.
 */
function normalizeFields(fields: RequestFields, how: BodyKind): RequestFields {
  const out: RequestFields = { ...fields };
  const p = out.parameters;
  if (p === undefined || (p === '' && how !== 'json')) {
    out.parameters = {};
  } else if (typeof p === 'string' && how === 'form') {
    let decoded: unknown;
    try { decoded = JSON.parse(p); } catch { decoded = undefined; }
    if (!isObject(decoded) || jsonTooDeep(decoded)) {
      throw new AppError('REQUEST_INVALID', 'parameters must be a JSON object (form posts send it as a JSON string)');
    }
    out.parameters = decoded;
  } else if (!isObject(p)) {
    throw new AppError('REQUEST_INVALID', `parameters must be an object, not ${p === null ? 'null' : Array.isArray(p) ? 'a list' : `a ${typeof p}`}`);
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
