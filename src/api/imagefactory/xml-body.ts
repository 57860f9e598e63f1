import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../../domain/errors.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: () => false,
});

/**
 * Deepest element nesting accepted in a request body. The deepest real body (provider_image with a
 * provider element inside parameters) nests 4 levels; the parser and `convert` recurse per level, so
 * a body nested thousands deep must be refused before either sees it.
 */
export const MAX_BODY_DEPTH = 32;

/**
 * The element nesting depth of `text`, counting start and end tags in one pass (comments, CDATA,
 * PIs, declarations and quoted attribute values skipped); stops counting once past `limit`.
 * Well-formedness is the validator's job: this only bounds the work the parsers will do.
 */
export function elementDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let i = text.indexOf('<');
  while (i !== -1 && i < text.length) {
    if (text.startsWith('<!--', i)) { i = skipPast(text, '-->', i + 4); continue; }
    if (text.startsWith('<![CDATA[', i)) { i = skipPast(text, ']]>', i + 9); continue; }
    const next = text[i + 1];
    if (next === '?' || next === '!') { i = skipPast(text, '>', i + 2); continue; }
    // A tag: find its end outside quotes.
    let j = i + 1;
    let quote = '';
    for (; j < text.length; j++) {
      const c = text[j];
      if (quote) { if (c === quote) quote = ''; } else if (c === '"' || c === "'") quote = c; else if (c === '>') break;
    }
    if (next === '/') depth--;
    else if (text[j - 1] !== '/') {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    }
    i = text.indexOf('<', j + 1);
  }
  return deepest;
}

function skipPast(text: string, end: string, from: number): number {
  const k = text.indexOf(end, from);
  return k === -1 ? -1 : text.indexOf('<', k + end.length);
}

/**
 * Legacy XML request bodies (§4.4): child elements become keys, repeated siblings a list,
 * `type__="list"` a one-element list; values stay text (never evaluated, D9). A provider element's
 * attributes are its data (§10.4). DOCTYPE is refused outright: no external entities, no entity bombs.
 */
export function parseXmlBody(text: string): Record<string, unknown> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new AppError('REQUEST_INVALID', 'XML body: DOCTYPE and entity declarations are not accepted');
  }
  const depth = elementDepth(text, MAX_BODY_DEPTH);
  if (depth > MAX_BODY_DEPTH) {
    throw new AppError('REQUEST_INVALID', `XML body is nested too deeply: more than ${MAX_BODY_DEPTH} levels of elements`);
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new AppError('REQUEST_INVALID', `XML body is not well-formed: line ${valid.err.line}: ${valid.err.msg}`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (e) {
    // The parser's own refusals (e.g. an element named __proto__) are plain Errors.
    throw new AppError('REQUEST_INVALID', `XML body is not accepted: ${(e as Error).message}`, { cause: e });
  }
  const roots = Object.keys(doc).filter((k) => !k.startsWith('?'));
  if (roots.length !== 1) throw new AppError('REQUEST_INVALID', 'XML body must have exactly one root element');
  return { [roots[0]]: convert(doc[roots[0]]) };
}

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node ?? '';
  const obj = node as Record<string, unknown>;
  const attrs = Object.keys(obj).filter((k) => k.startsWith('@'));
  const children = Object.keys(obj).filter((k) => !k.startsWith('@') && k !== '#text');
  const isList = obj['@type__'] === 'list';
  if (children.length === 0) {
    const dataAttrs = attrs.filter((a) => a !== '@type__');
    if (dataAttrs.length) return Object.fromEntries(dataAttrs.map((a) => [a.slice(1), obj[a]]));
    const text = (obj['#text'] as string | undefined) ?? '';
    return isList ? [text] : text;
  }
  // Null prototype: an element named __proto__ is a field, never the object's prototype.
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of children) out[k] = convert(obj[k]);
  return isList ? [out] : out;
}
