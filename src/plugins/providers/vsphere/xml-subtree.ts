import { XMLParser } from 'fast-xml-parser';
import { escapeXml } from './soap-envelope.js';

/**
 * Copies one element of a SOAP response into a request, as XML, unchanged: CreateImportSpec answers
 * a deeply typed VirtualMachineImportSpec (xsi:type on nested data objects) that ImportVApp must get
 * back exactly; re-serialising the parsed tree in document order keeps every element, attribute and
 * type. Namespace declarations of the element's ancestors are carried onto the copy, so prefixes used
 * inside (`xsi:type="xsd:string"`) stay bound.
 */

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

const ordered = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const local = (name: string) => name.slice(name.indexOf(':') + 1);
const tagOf = (n: Ordered) => Object.keys(n).find((k) => k !== ':@');

/**
 * The element reached by `path` (local names from the document root), renamed to `as` (its
 * attributes kept, plus the ancestors' xmlns declarations), or undefined when the path is absent.
 */
export function copyElement(xml: string, path: readonly string[], as: string): string | undefined {
  let level = ordered.parse(xml) as Ordered[];
  const namespaces: Record<string, string> = {};
  let found: Ordered | undefined;
  for (let i = 0; i < path.length; i++) {
    found = level.find((n) => { const t = tagOf(n); return t !== undefined && local(t) === path[i]; });
    if (!found) return undefined;
    const attrs = found[':@'] ?? {};
    if (i < path.length - 1) {
      for (const [k, v] of Object.entries(attrs)) if (k === 'xmlns' || k.startsWith('xmlns:')) namespaces[k] = v;
    }
    level = found[tagOf(found)!] as Ordered[];
  }
  if (!found) return undefined;
  return render(as, { ...namespaces, ...(found[':@'] ?? {}) }, found[tagOf(found)!] as Ordered[]);
}

function render(name: string, attrs: Record<string, string>, kids: Ordered[]): string {
  const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
  if (!kids.length) return `<${name}${a}/>`;
  return `<${name}${a}>${kids.map(renderNode).join('')}</${name}>`;
}

function renderNode(n: Ordered): string {
  if ('#text' in n) return escapeXml(String(n['#text']));
  const tag = tagOf(n);
  if (!tag || tag.startsWith('?') || tag === '#comment') return '';
  return render(tag, n[':@'] ?? {}, n[tag] as Ordered[]);
}
