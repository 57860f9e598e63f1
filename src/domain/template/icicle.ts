/**
 * ICICLE, the XML package manifest of a built image (spec tdl.md §6, oz/icicle.rng):
 *   <icicle><description>?</description><packages><package name="..."><extra>?</extra></package>*</packages></icicle>
 *
 * Our choices, where Oz leaves them open:
 * - `package/@name` is the bare package name (dpkg `${Package}`, e.g. `bash`), as Oz writes for
 *   Debian/Ubuntu guests.
 * - `package/extra` carries `"<version> <arch>"` (dpkg `${Version} ${Architecture}`, e.g.
 *   `5.2.15-2+b2 amd64`): Oz only writes `extra` when the template's `os/icicle/extra_command`
 *   asks for it, and version plus architecture is what a reader of a manifest needs most. A caller
 *   that ran an `extra_command` passes `extra` to write that output instead.
 * - Packages are sorted by name, then version, then architecture (code-unit order, locale-free),
 *   so the same package set always renders the same text. Packages with an empty name are skipped.
 * - Two-space indentation, one package per line, no XML declaration, trailing newline.
 */
import type { InstalledPackage } from './tdl.js';
import { isTdlError } from './tdl-error.js';
import { fail, onlyAttributes, readChildren, textOnly } from './tdl-schema.js';
import { escapeXmlAttr, escapeXmlText } from './xml-escape.js';
import { parseXmlTree, XmlSyntaxError, type XmlElement } from './xml-tree.js';

/** What TinMan stores when the `generate_icicle` parameter is false. */
export const EMPTY_ICICLE = '<icicle></icicle>';

export interface RenderIcicleOptions {
  /** `<description>`; Oz writes the template's description here. Omitted when null/undefined. */
  description?: string | null;
  /** Text of each package's `<extra>`; null omits it. Default: `"<version> <arch>"`. */
  extra?: (pkg: InstalledPackage) => string | null;
}

export function defaultIcicleExtra(pkg: InstalledPackage): string | null {
  const s = [pkg.version, pkg.arch].filter((p) => p !== '').join(' ');
  return s === '' ? null : s;
}

export function renderIcicle(packages: readonly InstalledPackage[], opts: RenderIcicleOptions = {}): string {
  const extraOf = opts.extra ?? defaultIcicleExtra;
  const sorted = packages.filter((p) => p.name !== '').sort(comparePackages);
  const lines = ['<icicle>'];
  if (opts.description !== undefined && opts.description !== null) {
    lines.push(`  <description>${escapeXmlText(opts.description)}</description>`);
  }
  if (sorted.length === 0) {
    lines.push('  <packages/>');
  } else {
    lines.push('  <packages>');
    for (const p of sorted) {
      const extra = extraOf(p);
      const name = escapeXmlAttr(p.name);
      lines.push(extra === null
        ? `    <package name="${name}"/>`
        : `    <package name="${name}"><extra>${escapeXmlText(extra)}</extra></package>`);
    }
    lines.push('  </packages>');
  }
  lines.push('</icicle>', '');
  return lines.join('\n');
}

function comparePackages(a: InstalledPackage, b: InstalledPackage): number {
  return cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.arch, b.arch);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ParsedIcicle {
  description: string | null;
  packages: { name: string; extra: string | null }[];
}

/**
 * Parses and validates an ICICLE document against oz/icicle.rng, except that `<packages>` may be
 * missing so that EMPTY_ICICLE reads as an empty manifest. Text is trimmed. Throws an Error whose
 * message carries the line number.
 */
export function parseIcicle(xml: string): ParsedIcicle {
  try {
    const root = parseXmlTree(xml);
    if (root.uri !== '' || root.name !== 'icicle') {
      fail('schema', root, `element "${root.name}" not allowed here: the root element must be "icicle"`);
    }
    onlyAttributes(root, []);
    const c = readChildren(root, {
      description: { read: textOnly },
      packages: { read: readPackages },
    });
    return { description: c.description[0]?.value ?? null, packages: c.packages[0]?.value ?? [] };
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw new Error(`invalid ICICLE: XML syntax error: ${e.message}`);
    if (isTdlError(e)) throw new Error(`invalid ICICLE: ${e.message}`);
    throw e;
  }
}

function readPackages(el: XmlElement): ParsedIcicle['packages'] {
  onlyAttributes(el, []);
  return readChildren(el, { package: { multiple: true, read: readPackage } }).package.map((r) => r.value);
}

function readPackage(el: XmlElement): ParsedIcicle['packages'][number] {
  onlyAttributes(el, ['name']);
  const name = el.attributes.find((a) => a.name === 'name');
  if (!name) fail('schema', el, 'element "package": missing required attribute "name"');
  const c = readChildren(el, { extra: { read: textOnly } });
  return { name: name.value, extra: c.extra[0]?.value ?? null };
}
