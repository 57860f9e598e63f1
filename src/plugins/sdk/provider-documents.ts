import { parseXmlTree, type XmlElement } from '../../domain/template/xml-tree.js';

/**
 * Reading the `provider` and `credentials` values of a provider image. Clients send them as JSON
 * objects, as JSON text (form posts), or as the original's XML: a provider element whose
 * attributes carry the fields (`<provider glance-host=".." glance-port=".."/>`), and
 * `<provider_credentials><X_credentials><field>value</field>...</X_credentials></provider_credentials>`.
 * Values come back as strings (XML has no other type); the caller converts.
 */

export type FieldMap = Record<string, string>;

/** The result: the fields, or why the document could not be read (never quoting its text). */
export type DocumentRead = { fields: FieldMap; problem?: undefined } | { fields?: undefined; problem: string };

/** A provider value: an object, JSON object text or an XML element's attributes. A plain string gives `{ name }`. */
export function readProviderDocument(value: unknown): DocumentRead {
  if (isPlainObject(value)) return { fields: flatStrings(value) };
  if (typeof value !== 'string') return { problem: 'the provider must be a string or an object' };
  const text = value.trim();
  if (text.startsWith('{')) return readJsonObject(text, 'provider');
  if (text.startsWith('<')) {
    const root = readXml(text);
    if (!root) return { problem: 'the provider is not well-formed XML' };
    return { fields: Object.fromEntries(root.attributes.map((a) => [a.name, a.value])) };
  }
  return { fields: { name: text } };
}

/**
 * A credentials value: an object (optionally wrapped as `{"X_credentials": {...}}`), JSON text,
 * or the XML document (`provider_credentials` wrapping one `X_credentials` element, or that
 * element alone). `kind` names the expected wrapper (`docker`, `openstack`); others are accepted too.
 */
export function readCredentialsDocument(value: unknown, kind: string): DocumentRead {
  if (isPlainObject(value)) return { fields: flatStrings(unwrapObject(value, kind)) };
  if (typeof value !== 'string') return { problem: 'the credentials must be a string or an object' };
  const text = value.trim();
  if (text.startsWith('{')) {
    const read = readJsonObject(text, 'credentials');
    if (read.problem !== undefined) return read;
    return readCredentialsDocument(JSON.parse(text), kind);
  }
  if (!text.startsWith('<')) return { problem: 'the credentials are neither JSON nor XML' };
  const root = readXml(text);
  if (!root) return { problem: 'the credentials are not well-formed XML' };
  let holder = root;
  if (root.local === 'provider_credentials') {
    const wrapped = root.children.filter((c) => c.local.endsWith('_credentials'));
    holder = wrapped.find((c) => c.local === `${kind}_credentials`) ?? wrapped[0] ?? root;
  }
  return { fields: Object.fromEntries(holder.children.map((c) => [c.local, c.text.trim()])) };
}

function readXml(text: string): XmlElement | null {
  try { return parseXmlTree(text); } catch { return null; }
}

function readJsonObject(text: string, what: string): DocumentRead {
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { return { problem: `the ${what} is not valid JSON` }; }
  return isPlainObject(parsed) ? { fields: flatStrings(parsed) } : { problem: `the ${what} JSON must be an object` };
}

function unwrapObject(value: Record<string, unknown>, kind: string): Record<string, unknown> {
  const inner = value[`${kind}_credentials`] ?? value.provider_credentials;
  if (isPlainObject(inner)) return unwrapObject(inner, kind);
  return value;
}

/** Scalars as strings; nested values are dropped (no provider field is structured). */
function flatStrings(obj: Record<string, unknown>): FieldMap {
  const out: FieldMap = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `true`/`false` written any of the ways clients write them; undefined when absent or unreadable. */
export function readBoolean(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  const s = v.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  return undefined;
}
