import { XMLParser } from 'fast-xml-parser';

/**
 * The vim25 SOAP wire format: request envelopes written with every value escaped, responses read
 * with a real XML parser. Element order in requests follows the WSDL (vCenter rejects other orders).
 */

/** A managed object reference: `<obj type="VirtualMachine">vm-42</obj>`. */
export interface MoRef {
  type: string;
  value: string;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A request's body parts: `<name>text</name>`, a MoRef element, or raw (already well-formed) XML. */
export type Part = { name: string; text: string } | { name: string; ref: MoRef } | { raw: string };

export const textPart = (name: string, text: string | number | boolean): Part => ({ name, text: String(text) });
export const refPart = (name: string, ref: MoRef): Part => ({ name, ref });
export const rawPart = (raw: string): Part => ({ raw });

export function renderPart(p: Part): string {
  if ('raw' in p) return p.raw;
  if ('ref' in p) return `<${p.name} type="${escapeXml(p.ref.type)}">${escapeXml(p.ref.value)}</${p.name}>`;
  return `<${p.name}>${escapeXml(p.text)}</${p.name}>`;
}

/** `<method xmlns="urn:vim25"><_this type=..>..</_this>parts</method>` in a SOAP 1.1 envelope. */
export function soapEnvelope(method: string, self: MoRef, parts: readonly Part[]): string {
  return '<?xml version="1.0" encoding="UTF-8"?>'
    + '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
    + ' xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    + `<soapenv:Body><${method} xmlns="urn:vim25">${renderPart(refPart('_this', self))}${parts.map(renderPart).join('')}</${method}>`
    + '</soapenv:Body></soapenv:Envelope>';
}

/** A parsed element: child elements by local name, attributes as `@_name` (prefixes kept: `@_xsi:type`), text as `#text`. */
export type Node = { [key: string]: unknown };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Element prefixes go (soapenv:Body → Body); attribute prefixes stay, since `type` (the MoRef's) and
  // `xsi:type` (the data object's) are different attributes.
  transformTagName: (name) => name.slice(name.indexOf(':') + 1),
  // The only prefixed `type` attribute in vim25 is the XML Schema instance type, whatever prefix the
  // server bound to that namespace (vCenter writes xsi:, Go's encoder XMLSchema-instance:).
  // (The parser hands this the name with its `@_` prefix.)
  transformAttributeName: (name) => (/^@_[^:]+:type$/.test(name) ? '@_xsi:type' : name),
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  alwaysCreateTextNode: false,
});

/** A SOAP fault from vSphere: its faultstring and the fault type (InvalidLogin, DuplicateName…). */
export class VsphereFault extends Error {
  constructor(readonly faultType: string, message: string, readonly httpStatus: number) {
    super(message);
    this.name = 'VsphereFault';
  }

  /** What providerFailure shows before the message. */
  get code(): string {
    return this.faultType;
  }
}

/**
 * The `returnval`-holding response element of a SOAP reply, or a VsphereFault. Anything that is not a
 * SOAP envelope (an HTML error page, a proxy's 502) becomes an error carrying the HTTP status.
 */
export function readSoapResponse(xml: string, httpStatus: number): Node {
  let doc: Node;
  try { doc = parser.parse(xml) as Node; } catch { doc = {}; }
  const body = child(child(doc, 'Envelope'), 'Body');
  if (!body) {
    const snippet = xml.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
    throw Object.assign(new Error(`vSphere answered HTTP ${httpStatus} without a SOAP envelope${snippet ? `: ${snippet}` : ''}`), { statusCode: httpStatus });
  }
  const fault = child(body, 'Fault');
  if (fault) {
    const detail = child(fault, 'detail');
    const first = detail ? Object.entries(detail).find(([k]) => !k.startsWith('@_') && k !== '#text') : undefined;
    const xsiType = first && typeof first[1] === 'object' && first[1] !== null ? (first[1] as Node)['@_xsi:type'] : undefined;
    const faultType = typeof xsiType === 'string' ? xsiType : first ? first[0].replace(/Fault$/, '') : text(child(fault, 'faultcode')) ?? 'SoapFault';
    const detailFields = first ? leafFields(first[1]) : '';
    throw new VsphereFault(faultType, text(child(fault, 'faultstring'))?.trim() || detailFields || faultType, httpStatus);
  }
  const response = Object.entries(body).find(([k]) => !k.startsWith('@_') && k !== '#text');
  return (response && typeof response[1] === 'object' && response[1] !== null ? response[1] : {}) as Node;
}

/** A fault's own fields (`file: [ds] vm/vm.vmx, name: x`) for faults that come without a faultstring. */
function leafFields(n: unknown): string {
  if (typeof n !== 'object' || n === null) return '';
  return Object.entries(n as Node)
    .filter(([k, v]) => !k.startsWith('@_') && k !== '#text' && (typeof v === 'string' || (typeof v === 'object' && v !== null && '#text' in v)))
    .map(([k, v]) => `${k}: ${text(v)}`)
    .join(', ');
}

/** A child element by local name (the first when repeated). */
export function child(n: unknown, name: string): Node | undefined {
  if (typeof n !== 'object' || n === null) return undefined;
  const v = (n as Node)[name];
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined) return undefined;
  return typeof first === 'object' && first !== null ? first as Node : { '#text': String(first) };
}

/** All child elements of that name (a single one, or none, is still an array). */
export function children(n: unknown, name: string): Node[] {
  if (typeof n !== 'object' || n === null) return [];
  const v = (n as Node)[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'object' && x !== null ? x as Node : { '#text': String(x) }));
}

/** An element's text (an empty element gives ''). */
export function text(n: unknown): string | undefined {
  if (n === undefined || n === null) return undefined;
  if (typeof n !== 'object') return String(n);
  const t = (n as Node)['#text'];
  return t === undefined ? '' : String(t);
}

export function moRef(n: unknown): MoRef | undefined {
  if (typeof n !== 'object' || n === null) return undefined;
  const type = (n as Node)['@_type'];
  const value = text(n);
  return typeof type === 'string' && value ? { type, value } : undefined;
}

export function requireRef(n: unknown, what: string): MoRef {
  const ref = moRef(n);
  if (!ref) throw new Error(`vSphere's answer has no ${what}`);
  return ref;
}
