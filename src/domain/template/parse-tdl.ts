/**
 * parseTdl: parses and validates a TDL template (spec tdl.md; Oz oz/tdl.rng + oz/TDL.py).
 *
 * - Well-formedness via saxes; DOCTYPEs are refused (no DTD, no entities, no XXE); XInclude and any
 *   other namespaced element or attribute is refused (Oz would run xinclude(); we never do).
 * - The grammar is closed: unknown elements and attributes are errors, reported with their line.
 * - Children of `template`, `os`, `package`, `repository` and an iso `install` interleave (any order).
 * - Text values are trimmed of surrounding XML whitespace (Oz strips commands and files; we trim all).
 * - The first error found, in document order, is thrown as a TdlError (API: 400).
 */
import { TdlError } from './tdl-error.js';
import { TDL_ARCHES, type Tdl, type TdlArch, type TdlInstall } from './tdl.js';
import {
  emptyElement, enumAttr, fail, nonEmptyText, one, onlyAttributes, optionalAttr, quoteList, readChildren, req, requiredNonEmptyAttr,
  textOnly,
} from './tdl-schema.js';
import { readCommands, readDisk, readFiles, readPackages, readRepositories } from './tdl-sections.js';
import { fetchableUrl, hasParentSegment, parseAbsoluteUrl, type UrlPolicy } from './tdl-urls.js';
import { parseXmlTree, XmlSyntaxError, type XmlElement } from './xml-tree.js';

export interface ParseTdlOptions {
  /** Config key `tdl_require_root_pw`: `os/rootpw` must be present and non-empty. Default false. */
  rootpwRequired?: boolean;
  /**
   * Accept file: URLs in files/commands of type url, ISO extras and repositories. Default false:
   * templates come from API clients and such URLs would read files of the build server.
   */
  allowFileUrls?: boolean;
}

export const TDL_SCHEMA_VERSION = '1.0';

export function parseTdl(xml: string, options: ParseTdlOptions = {}): Tdl {
  const policy: UrlPolicy = { allowFileUrls: options.allowFileUrls ?? false };
  let root: XmlElement;
  try {
    root = parseXmlTree(xml);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw new TdlError('syntax', e.reason, e.line, e.column);
    throw e;
  }
  if (root.uri !== '' || root.name !== 'template') {
    fail('schema', root, `element "${root.name}" not allowed here: the root element must be "template"`);
  }
  onlyAttributes(root, ['version']);
  const version = optionalAttr(root, 'version') ? enumAttr(root, 'version', [TDL_SCHEMA_VERSION], TDL_SCHEMA_VERSION) : null;

  const c = readChildren(root, {
    name: { required: true, read: nonEmptyText },
    os: { required: true, read: (el) => readOs(el, options, policy) },
    description: { read: textOnly },
    packages: { read: readPackages },
    files: { read: (el) => readFiles(el, policy) },
    commands: { read: (el) => readCommands(el, policy) },
    precommands: { read: (el) => readCommands(el, policy) },
    repositories: { read: (el) => readRepositories(el, policy) },
    disk: { read: readDisk },
  });

  return {
    version,
    name: req(c.name),
    description: one(c.description),
    os: req(c.os),
    packages: one(c.packages) ?? [],
    files: one(c.files) ?? [],
    commands: one(c.commands) ?? [],
    precommands: one(c.precommands) ?? [],
    repositories: one(c.repositories) ?? [],
    diskSizeBytes: one(c.disk),
  };
}

function readOs(el: XmlElement, options: ParseTdlOptions, policy: UrlPolicy): Tdl['os'] {
  onlyAttributes(el, []);
  const c = readChildren(el, {
    name: { required: true, read: nonEmptyText },
    version: { required: true, read: nonEmptyText },
    arch: { required: true, read: readArch },
    kernelparam: { read: textOnly },
    install: { required: true, read: (i) => readInstall(i, policy) },
    rootpw: { read: textOnly },
    key: { read: textOnly },
    icicle: { read: readIcicleConfig },
  });
  const rootpw = one(c.rootpw);
  if (options.rootpwRequired) {
    if (rootpw === null) fail('semantic', el, 'element "os": missing required element "rootpw" (a root password is required by tdl_require_root_pw)');
    if (rootpw === '') fail('semantic', c.rootpw[0]!.el, 'element "rootpw" must not be empty (a root password is required by tdl_require_root_pw)');
  }
  return {
    name: req(c.name),
    version: req(c.version),
    arch: req(c.arch),
    install: req(c.install),
    rootpw,
    key: one(c.key),
    kernelparam: one(c.kernelparam),
    icicleExtraCommand: one(c.icicle),
  };
}

function readArch(el: XmlElement): TdlArch {
  const v = textOnly(el).replace(/[ \t\r\n]+/g, ' ');
  if (!(TDL_ARCHES as readonly string[]).includes(v)) {
    fail('schema', el, `element "arch": invalid value "${v}" (expected ${quoteList(TDL_ARCHES)})`);
  }
  return v as TdlArch;
}

function readIcicleConfig(el: XmlElement): string {
  onlyAttributes(el, []);
  return req(readChildren(el, { extra_command: { required: true, read: nonEmptyText } }).extra_command);
}

function readInstall(el: XmlElement, policy: UrlPolicy): TdlInstall {
  onlyAttributes(el, ['type']);
  if (!optionalAttr(el, 'type')) fail('schema', el, 'element "install": missing required attribute "type"');
  const type = enumAttr(el, 'type', ['url', 'iso'] as const, 'url');
  const location = (u: XmlElement): string => {
    const v = nonEmptyText(u);
    parseAbsoluteUrl(u.textAt ?? u, `element "${u.name}"`, v);
    return v;
  };

  if (type === 'url') {
    const c = readChildren(el, {
      url: { required: true, read: location },
      extras: { read: (x) => fail('semantic', x, 'element "extras" not allowed here: ISO extras can only be used with install type "iso"') },
    });
    return { type: 'url', url: req(c.url) };
  }

  const c = readChildren(el, {
    iso: { required: true, read: location },
    md5sum: { read: location },
    sha1sum: { read: location },
    sha256sum: { read: location },
    extras: { read: (x) => readExtras(x, policy) },
  });
  const sums = [
    ...c.md5sum.map((r) => ({ ...r, type: 'md5' as const })),
    ...c.sha1sum.map((r) => ({ ...r, type: 'sha1' as const })),
    ...c.sha256sum.map((r) => ({ ...r, type: 'sha256' as const })),
  ].sort((a, b) => a.el.offset - b.el.offset);
  if (sums.length > 1) {
    fail('schema', sums[1]!.el, `element "${sums[1]!.el.name}" not allowed here: only one of "md5sum", "sha1sum" and "sha256sum" may be given`);
  }
  return {
    type: 'iso',
    iso: req(c.iso),
    checksum: sums[0] ? { type: sums[0].type, url: sums[0].value } : null,
    extras: one(c.extras) ?? [],
  };
}

type IsoExtra = Extract<TdlInstall, { type: 'iso' }>['extras'][number];

function readExtras(el: XmlElement, policy: UrlPolicy): IsoExtra[] {
  onlyAttributes(el, []);
  const read = (kind: IsoExtra['kind']) => (x: XmlElement): IsoExtra => {
    emptyElement(x, ['source', 'destination']);
    const source = requiredNonEmptyAttr(x, 'source');
    const destination = requiredNonEmptyAttr(x, 'destination');
    fetchableUrl(optionalAttr(x, 'source')!, `element "${kind}": attribute "source"`, source, ['http', 'https', 'ftp'], policy);
    if (hasParentSegment(destination)) {
      fail('semantic', optionalAttr(x, 'destination')!, `element "${kind}": attribute "destination" must not contain ".." segments ("${destination}")`);
    }
    return { kind, source, destination };
  };
  const c = readChildren(el, {
    directory: { multiple: true, read: read('directory') },
    file: { multiple: true, read: read('file') },
  });
  const all = [...c.directory, ...c.file].sort((a, b) => a.el.offset - b.el.offset);
  if (all.length === 0) fail('schema', el, 'element "extras": must contain at least one "directory" or "file" element');
  return all.map((r) => r.value);
}

