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
 * Legacy XML request bodies (§4.4): child elements become keys, repeated siblings a list,
 * `type__="list"` a one-element list; values stay text (never evaluated, D9). A provider element's
 * attributes are its data (§10.4). DOCTYPE is refused outright: no external entities, no entity bombs.
 */
export function parseXmlBody(text: string): Record<string, unknown> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new AppError('REQUEST_INVALID', 'XML body: DOCTYPE and entity declarations are not accepted');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new AppError('REQUEST_INVALID', `XML body is not well-formed: line ${valid.err.line}: ${valid.err.msg}`);
  }
  const doc = parser.parse(text) as Record<string, unknown>;
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
  const out: Record<string, unknown> = {};
  for (const k of children) out[k] = convert(obj[k]);
  return isList ? [out] : out;
}
