/**
 * The original's legacy XML rendering (§5.10): no declaration, root = the single top-level key,
 * 2-space indentation starting at 2, keys sorted, `_x` keys as attributes, null → <k/>, lists as
 * repeated elements (one item: type__="list"; none: <k type__="list"/>), plain values (D25).
 * A top-level list (`{"base_images": [{"base_image": …}, …]}`) would be one root per item, which no
 * XML parser accepts; it is one root element named after the collection, holding each item's
 * elements (`<base_images><base_image …/><base_image …/></base_images>`).
 */
export function renderXml(doc: Record<string, unknown>): string {
  const [root] = Object.keys(doc);
  const value = doc[root];
  if (!Array.isArray(value)) return element(root, value, 2, {});
  const marker = value.length <= 1 ? attrs({ type__: 'list' }) : '';
  if (value.length === 0) return `  <${root}${marker}/>\n`;
  const items = value.map((item) => (item !== null && typeof item === 'object' && !Array.isArray(item)
    ? Object.keys(item).sort().map((k) => element(k, (item as Record<string, unknown>)[k], 4, {})).join('')
    : element('item', item, 4, {})));
  return `  <${root}${marker}>\n${items.join('')}  </${root}>\n`;
}

function element(name: string, value: unknown, indent: number, extraAttrs: Record<string, string>): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}<${name}${attrs({ ...extraAttrs, type__: 'list' })}/>\n`;
    const listAttr: Record<string, string> = value.length === 1 ? { type__: 'list' } : {};
    return value.map((item) => element(name, item, indent, { ...extraAttrs, ...listAttr })).join('');
  }
  if (value === null || value === undefined) return `${pad}<${name}${attrs(extraAttrs)}/>\n`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const a: Record<string, string> = { ...extraAttrs };
    const children: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      if (key.startsWith('_')) a[key.slice(1)] = String(obj[key]);
      else children.push(element(key, obj[key], indent + 2, {}));
    }
    return `${pad}<${name}${attrs(a)}>\n${children.join('')}${pad}</${name}>\n`;
  }
  return `${pad}<${name}${attrs(extraAttrs)}>${escapeXml(String(value))}</${name}>\n`;
}

function attrs(a: Record<string, string>): string {
  return Object.entries(a).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;').replace(/\n/g, '&#xa;');
}
