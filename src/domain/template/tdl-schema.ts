/**
 * Building blocks for validating an XmlElement tree against a closed RelaxNG-like grammar:
 * allowed attributes, text-only or element-only content, and interleaved children with
 * required/optional/repeatable rules. Every failure is a TdlError carrying the line of the
 * offending element, attribute or text.
 */
import { TdlError, type TdlErrorKind } from './tdl-error.js';
import type { XmlAttribute, XmlElement, XmlPosition } from './xml-tree.js';

export function fail(kind: TdlErrorKind, at: XmlPosition, reason: string): never {
  throw new TdlError(kind, reason, at.line, at.column);
}

/** Trims XML whitespace (space, tab, CR, LF) only; other Unicode spaces are content. */
export function xmlTrim(s: string): string {
  return s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/** Rejects every attribute not listed (and any namespaced attribute): RelaxNG grammars are closed. */
export function onlyAttributes(el: XmlElement, allowed: readonly string[]): void {
  for (const a of el.attributes) {
    if (a.uri !== '' || !allowed.includes(a.name)) {
      fail('schema', a, `element "${el.name}": attribute "${a.name}" not allowed`);
    }
  }
}

export function optionalAttr(el: XmlElement, name: string): XmlAttribute | undefined {
  return el.attributes.find((a) => a.uri === '' && a.name === name);
}

export function requiredAttr(el: XmlElement, name: string): XmlAttribute {
  return optionalAttr(el, name) ?? fail('schema', el, `element "${el.name}": missing required attribute "${name}"`);
}

/** A required attribute whose value must not be blank; returns the trimmed value. */
export function requiredNonEmptyAttr(el: XmlElement, name: string): string {
  const a = requiredAttr(el, name);
  const v = xmlTrim(a.value);
  if (v === '') fail('semantic', a, `element "${el.name}": attribute "${name}" must not be empty`);
  return v;
}

/**
 * An enumerated attribute (RelaxNG `<value>`, whose default type `token` ignores surrounding
 * whitespace). Returns `fallback` when the attribute is absent.
 */
export function enumAttr<T extends string>(el: XmlElement, name: string, values: readonly T[], fallback: T): T {
  const a = optionalAttr(el, name);
  if (!a) return fallback;
  const v = xmlTrim(a.value).replace(/[ \t\r\n]+/g, ' ');
  if (!(values as readonly string[]).includes(v)) {
    fail('schema', a, `element "${el.name}": invalid value "${a.value}" for attribute "${name}" (expected ${quoteList(values)})`);
  }
  return v as T;
}

/** Text-only content (RelaxNG `<text/>`): no child elements. Returns the trimmed text. */
export function textOnly(el: XmlElement): string {
  onlyAttributes(el, []);
  return textContent(el);
}

/** Like textOnly but for elements that may carry attributes (checked by the caller). */
export function textContent(el: XmlElement): string {
  const child = el.children[0];
  if (child) fail('schema', child, `element "${child.name}" not allowed here: "${el.name}" holds text only`);
  return xmlTrim(el.text);
}

/** Text-only content that must not be blank. */
export function nonEmptyText(el: XmlElement): string {
  const v = textOnly(el);
  if (v === '') fail('semantic', el, `element "${el.name}" must not be empty`);
  return v;
}

/** Element-only or empty content: any non-whitespace text is an error. */
export function noText(el: XmlElement): void {
  if (el.textAt) fail('schema', el.textAt, `element "${el.name}": text not allowed here`);
}

/** An element with neither attributes (other than `attrs`) nor content. */
export function emptyElement(el: XmlElement, attrs: readonly string[]): void {
  onlyAttributes(el, attrs);
  noText(el);
  const child = el.children[0];
  if (child) fail('schema', child, `element "${child.name}" not allowed here: "${el.name}" must be empty`);
}

export interface ChildRule<T> {
  read: (el: XmlElement) => T;
  /** At least one must be present. */
  required?: boolean;
  /** More than one may be present (zeroOrMore / oneOrMore). */
  multiple?: boolean;
}

export interface Read<T> {
  el: XmlElement;
  value: T;
}

type Rules = Record<string, ChildRule<any>>;
export type ChildResults<R extends Rules> = { [K in keyof R]: Read<ReturnType<R[K]['read']>>[] };

/**
 * Reads the children of an element-content element whose children interleave (any order).
 * Children are validated in document order, so the first error reported is the earliest one;
 * missing required children are reported at the parent after that.
 */
export function readChildren<R extends Rules>(el: XmlElement, rules: R): ChildResults<R> {
  noText(el);
  const out = Object.fromEntries(Object.keys(rules).map((k) => [k, [] as Read<unknown>[]])) as ChildResults<R>;
  for (const child of el.children) {
    const rule = child.uri === '' && Object.hasOwn(rules, child.name) ? rules[child.name] : undefined;
    if (!rule) fail('schema', child, `element "${child.name}" not allowed here`);
    const seen = out[child.name as keyof R]!;
    if (seen.length > 0 && !rule.multiple) {
      fail('schema', child, `element "${child.name}" not allowed here: "${el.name}" may contain only one "${child.name}"`);
    }
    seen.push({ el: child, value: rule.read(child) });
  }
  for (const [name, rule] of Object.entries(rules)) {
    if (rule.required && out[name]!.length === 0) {
      fail('schema', el, `element "${el.name}": missing required element "${name}"`);
    }
  }
  return out;
}

/** The value of an optional single child, or null. */
export function one<T>(reads: Read<T>[]): T | null {
  return reads.length > 0 ? reads[0]!.value : null;
}

/** The value of a required single child (readChildren already enforced its presence). */
export function req<T>(reads: Read<T>[]): T {
  return reads[0]!.value;
}

export function quoteList(values: readonly string[]): string {
  const q = values.map((v) => `"${v}"`);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}
