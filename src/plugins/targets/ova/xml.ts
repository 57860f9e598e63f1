/** Minimal XML writing for OVF descriptors: every text and attribute value goes through escaping. */

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export type Attrs = Record<string, string | number | boolean | undefined>;
/** An element: name, attributes, then children (elements as strings, or escaped text). */
export function el(name: string, attrs: Attrs = {}, ...children: (string | { text: string })[]): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
  if (children.length === 0) return `<${name}${a}/>`;
  const body = children.map((c) => (typeof c === 'string' ? c : escapeXml(c.text))).join('');
  return `<${name}${a}>${body}</${name}>`;
}

export const text = (t: string | number) => ({ text: String(t) });

export const XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
