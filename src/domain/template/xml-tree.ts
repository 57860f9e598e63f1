/**
 * A small, safe XML reader for the template language and ICICLE: builds an element tree with
 * line/column positions using saxes. It never resolves external entities and rejects any DOCTYPE
 * outright, so entity expansion bombs and XXE cannot happen. Namespaces are resolved so that
 * elements or attributes in a foreign namespace (e.g. XInclude) can be refused by the validator.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';

export interface XmlPosition {
  /** 1-based line. */
  line: number;
  /** 1-based column, in UTF-16 code units. */
  column: number;
}

export interface XmlAttribute extends XmlPosition {
  /** Qualified name as written (e.g. `name`, `xml:lang`). */
  name: string;
  /** Namespace URI; '' for an unprefixed attribute. */
  uri: string;
  value: string;
}

export interface XmlElement extends XmlPosition {
  /** Qualified name as written. */
  name: string;
  /** Local name (without prefix). */
  local: string;
  /** Namespace URI; '' when in no namespace (every TDL and ICICLE element). */
  uri: string;
  /** Index of the start tag in the source; orders elements in document order. */
  offset: number;
  /** Attributes as written, without namespace declarations (xmlns, xmlns:*). */
  attributes: XmlAttribute[];
  children: XmlElement[];
  /** Concatenated character data (text and CDATA) of this element's own text nodes; comments and PIs dropped. */
  text: string;
  /** Position of the first non-whitespace character of `text`, or null when `text` is blank. */
  textAt: XmlPosition | null;
}

/** A well-formedness problem, or a forbidden construct (DOCTYPE). */
export class XmlSyntaxError extends Error {
  constructor(readonly reason: string, readonly line: number, readonly column: number) {
    super(`line ${line}: ${reason}`);
    this.name = 'XmlSyntaxError';
  }
}

const XMLNS_URI = 'http://www.w3.org/2000/xmlns/';

/**
 * Deepest element nesting accepted. TDL nests 5 levels and ICICLE 4. The cap also guards the
 * server: saxes resolves namespaces through a chain as long as the nesting, so its cost grows with
 * depth squared (20,000 levels take seconds, 200,000 never finish).
 */
export const MAX_XML_DEPTH = 32;

/** Maps string offsets to 1-based line/column; CRLF, CR and LF all end a line, as XML defines. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  locate(offset: number): XmlPosition {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}

/** Parses `xml` into a tree. Throws XmlSyntaxError on the first well-formedness error or on a DOCTYPE. */
export function parseXmlTree(xml: string): XmlElement {
  if (typeof xml !== 'string') throw new XmlSyntaxError('the document is not a string', 1, 1);
  const lines = new LineIndex(xml);
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  /** Source index just after the previous markup event: where the next text node starts. */
  let lastEnd = 0;
  /** Start offsets of the attributes of the tag being opened, by qualified name. */
  let attrOffsets = new Map<string, number>();
  let pendingStart = 0;
  /** Where the search for the next attribute name starts (just after the previous attribute). */
  let attrCursor = 0;

  const fail = (reason: string, offset?: number): never => {
    const pos = offset === undefined ? { line: parser.line, column: parser.column + 1 } : lines.locate(offset);
    throw new XmlSyntaxError(reason, pos.line, pos.column);
  };

  const addText = (text: string) => {
    const el = stack[stack.length - 1];
    if (!el) return; // whitespace outside the root (saxes rejects anything else)
    if (el.textAt === null && /\S/.test(text)) {
      const m = /\S/.exec(xml.slice(lastEnd));
      el.textAt = lines.locate(m ? lastEnd + m.index : lastEnd);
    }
    el.text += text;
  };

  parser.on('error', (e) => fail(e.message.replace(/^\d+:\d+: /, '').replace(/\.$/, '')));
  parser.on('doctype', () => {
    fail('DOCTYPE declarations are not allowed (no DTDs, no entity declarations)', Math.max(0, xml.lastIndexOf('<!DOCTYPE', parser.position)));
  });
  parser.on('opentagstart', (tag) => {
    pendingStart = Math.max(0, xml.lastIndexOf(`<${tag.name}`, parser.position));
    if (stack.length >= MAX_XML_DEPTH) fail(`elements nested more than ${MAX_XML_DEPTH} levels deep`, pendingStart);
    attrCursor = pendingStart + 1 + tag.name.length;
    attrOffsets = new Map();
  });
  parser.on('attribute', (attr) => {
    attrOffsets.set(attr.name, findAttribute(xml, attr.name, attrCursor, parser.position));
    attrCursor = parser.position;
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const el: XmlElement = {
      name: tag.name,
      local: tag.local,
      uri: tag.uri,
      offset: pendingStart,
      ...lines.locate(pendingStart),
      attributes: Object.values(tag.attributes)
        .filter((a) => a.uri !== XMLNS_URI)
        .map((a) => ({ name: a.name, uri: a.uri, value: a.value, ...lines.locate(attrOffsets.get(a.name) ?? pendingStart) })),
      children: [],
      text: '',
      textAt: null,
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
    lastEnd = parser.position;
  });
  parser.on('closetag', () => {
    // saxes reports a closetag for self-closing tags too.
    stack.pop();
    lastEnd = parser.position;
  });
  parser.on('text', (text) => {
    addText(text);
    lastEnd = Math.max(lastEnd, parser.position - 1);
  });
  parser.on('cdata', (text) => {
    addText(text);
    lastEnd = parser.position;
  });
  parser.on('comment', () => { lastEnd = parser.position; });
  parser.on('processinginstruction', () => { lastEnd = parser.position; });

  parser.write(xml).close();
  if (!root) fail('document must contain a root element');
  return root!;
}

/** Start offset of attribute `name` in xml[from, to) (the source of that one attribute). */
function findAttribute(xml: string, name: string, from: number, to: number): number {
  const at = xml.slice(from, to).indexOf(name);
  return at < 0 ? from : from + at;
}
