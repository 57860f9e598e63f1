/**
 * XML 1.0 escaping for text and attribute values. Characters XML 1.0 cannot represent at all
 * (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, lone surrogates) become U+FFFD, so the output
 * is always well-formed.
 */

const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function toXmlChars(s: string): string {
  return s.replace(NOT_XML_CHAR, '\uFFFD');
}

/** Escapes character data (element content). `>` is escaped too, so `]]>` can never appear. */
export function escapeXmlText(s: string): string {
  return toXmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes a double-quoted attribute value; tab, LF and CR become character references so they survive attribute normalisation. */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}
