import type { Metadata } from '../../catalog/store/metadata-repository.js';
import { NovaFault } from './faults.js';

const KEY = /^[a-zA-Z0-9-_:. ]{1,255}$/;

/**
 * Validates `{"<wrapper>": {key: value, ...}}` as Nova's JSON schema does (schemas/image_metadata.py):
 * no other top-level keys, keys by pattern, values strings of at most 255 characters.
 */
export function metadataBody(body: unknown, wrapper: 'metadata' | 'meta', items?: { min: number; max: number }): Metadata {
  if (!isObject(body)) fail(wrapper, body, `${show(body)} is not of type 'object'`);
  const extra = Object.keys(body).filter((k) => k !== wrapper);
  if (extra.length) fail(wrapper, body, `Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
  const inner = body[wrapper];
  if (inner === undefined) fail(wrapper, body, `'${wrapper}' is a required property`);
  if (!isObject(inner)) fail(wrapper, inner, `${show(inner)} is not of type 'object'`);
  const keys = Object.keys(inner);
  const bad = keys.filter((k) => !KEY.test(k));
  if (bad.length) fail(wrapper, inner, `Additional properties are not allowed (${bad.map((k) => `'${k}'`).join(', ')} ${bad.length > 1 ? 'were' : 'was'} unexpected)`);
  for (const k of keys) {
    const v = inner[k];
    if (typeof v !== 'string') fail(`${wrapper}/${k}`, v, `${show(v)} is not of type 'string'`);
    if (v.length > 255) fail(`${wrapper}/${k}`, v, `${show(v)} is too long`);
  }
  if (items && keys.length < items.min) fail(wrapper, inner, `${show(inner)} does not have enough properties`);
  if (items && keys.length > items.max) fail(wrapper, inner, `${show(inner)} has too many properties`);
  return inner as Metadata;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? 'None';
}

function fail(field: string, value: unknown, why: string): never {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  throw new NovaFault(400, `Invalid input for field/attribute ${field}. Value: ${text}. ${why}`);
}
