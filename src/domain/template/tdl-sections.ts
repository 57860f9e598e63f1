/**
 * Readers for the optional sections of `<template>`: packages, files, commands/precommands,
 * repositories and disk (spec tdl.md §2–§3). Each validates its subtree and returns domain values.
 */
import { parseDiskSize } from './disk-size.js';
import type { TdlCommand, TdlContentType, TdlFile, TdlPackage, TdlRepository } from './tdl.js';
import {
  enumAttr, fail, nonEmptyText, one, onlyAttributes, optionalAttr, readChildren, req,
  requiredNonEmptyAttr, textContent, textOnly,
} from './tdl-schema.js';
import { fetchableUrl, hasParentSegment, repositoryUrl, type UrlPolicy } from './tdl-urls.js';
import type { XmlElement } from './xml-tree.js';

const CONTENT_TYPES = ['raw', 'base64', 'url'] as const satisfies readonly TdlContentType[];
const BASE64 = /^[a-zA-Z0-9+/]+={0,2}$/;
const BOOL = /^(true|false|yes|no)$/i;

export function readPackages(el: XmlElement): TdlPackage[] {
  onlyAttributes(el, []);
  return readChildren(el, { package: { multiple: true, read: readPackage } }).package.map((r) => r.value);
}

function readPackage(el: XmlElement): TdlPackage {
  onlyAttributes(el, ['name']);
  const name = requiredNonEmptyAttr(el, 'name');
  const c = readChildren(el, {
    repository: { read: textOnly },
    file: { read: textOnly },
    arguments: { read: textOnly },
  });
  return { name, repository: one(c.repository), file: one(c.file), arguments: one(c.arguments) };
}

/**
 * `<files>`: file `@name` is the absolute target path in the image (no ".." segments: plugins join it
 * under the image root on the build host). As in Oz (a dict keyed by name), a repeated name keeps its
 * first place and takes the last content.
 */
export function readFiles(el: XmlElement, policy: UrlPolicy): TdlFile[] {
  onlyAttributes(el, []);
  const byName = new Map<string, TdlFile>();
  for (const { value } of readChildren(el, { file: { multiple: true, read: (f) => readFile(f, policy) } }).file) {
    byName.set(value.name, value);
  }
  return [...byName.values()];
}

function readFile(el: XmlElement, policy: UrlPolicy): TdlFile {
  onlyAttributes(el, ['name', 'type']);
  const name = requiredNonEmptyAttr(el, 'name');
  const nameAttr = optionalAttr(el, 'name')!;
  if (!name.startsWith('/')) fail('semantic', nameAttr, `element "file": attribute "name" must be an absolute path, not "${name}"`);
  if (hasParentSegment(name)) fail('semantic', nameAttr, `element "file": attribute "name" must not contain ".." segments ("${name}")`);
  const type = enumAttr(el, 'type', CONTENT_TYPES, 'raw');
  const content = textContent(el);
  if (type === 'base64' && content !== '' && !BASE64.test(content)) {
    fail('schema', el.textAt ?? el, `element "file": content of type base64 is not valid base64`);
  }
  if (type === 'url') fetchableUrl(el.textAt ?? el, 'element "file"', content, ['http', 'https'], policy);
  return { name, type, content };
}

interface PositionedCommand {
  el: XmlElement;
  command: TdlCommand;
}

/**
 * `<commands>` / `<precommands>`, returned in run order. Either every command has a `position` or
 * none has; explicit positions must be exactly 1..N (no gaps, no duplicates); otherwise document
 * order applies (Oz TDL._parse_commands).
 */
export function readCommands(el: XmlElement, policy: UrlPolicy): TdlCommand[] {
  onlyAttributes(el, []);
  const cmds: PositionedCommand[] = readChildren(el, {
    command: { multiple: true, read: (c) => ({ el: c, command: readCommand(c, policy) }) },
  }).command.map((r) => r.value);
  const withPosition = cmds.filter((c) => c.command.position !== null).length;
  if (withPosition === 0) return cmds.map((c) => c.command);
  if (withPosition !== cmds.length) {
    const odd = cmds.find((c) => c.command.position === null)!;
    fail('semantic', odd.el, `element "command": all commands in "${el.name}" must have a "position" attribute (explicit order), or none of them (document order)`);
  }
  const sorted = [...cmds].sort((a, b) => a.command.position! - b.command.position!);
  sorted.forEach((c, i) => {
    if (c.command.position !== i + 1) {
      fail('semantic', optionalAttr(c.el, 'position')!, `element "command": positions in "${el.name}" must be exactly 1..${cmds.length} without gaps or duplicates; position ${c.command.position} is out of sequence`);
    }
  });
  return sorted.map((c) => c.command);
}

function readCommand(el: XmlElement, policy: UrlPolicy): TdlCommand {
  onlyAttributes(el, ['name', 'position', 'type']);
  const name = requiredNonEmptyAttr(el, 'name');
  const posAttr = optionalAttr(el, 'position');
  let position: number | null = null;
  if (posAttr) {
    if (!/^[0-9]+$/.test(posAttr.value)) {
      fail('schema', posAttr, `element "command": invalid value "${posAttr.value}" for attribute "position" (expected a number)`);
    }
    position = Number(posAttr.value);
  }
  const type = enumAttr(el, 'type', CONTENT_TYPES, 'raw');
  const content = textContent(el);
  if (content === '') fail('semantic', el, `element "command": empty commands are not allowed`);
  if (type === 'base64' && !BASE64.test(content)) {
    fail('schema', el.textAt ?? el, `element "command": content of type base64 is not valid base64`);
  }
  if (type === 'url') fetchableUrl(el.textAt ?? el, 'element "command"', content, ['http', 'https'], policy);
  return { name, position, type, content };
}

/** `<repositories>`; as in Oz (a dict keyed by name), a repeated name keeps its first place and takes the last definition. */
export function readRepositories(el: XmlElement, policy: UrlPolicy): TdlRepository[] {
  onlyAttributes(el, []);
  const byName = new Map<string, TdlRepository>();
  const reads = readChildren(el, { repository: { multiple: true, read: (r) => readRepository(r, policy) } });
  for (const { value } of reads.repository) byName.set(value.name, value);
  return [...byName.values()];
}

function readRepository(el: XmlElement, policy: UrlPolicy): TdlRepository {
  onlyAttributes(el, ['name']);
  const name = requiredNonEmptyAttr(el, 'name');
  const c = readChildren(el, {
    url: { required: true, read: (u) => repositoryUrl(u.textAt ?? u, nonEmptyText(u), policy) },
    signed: { read: readBool },
    persisted: { read: readBool },
    sslverify: { read: readBool },
  });
  return {
    name,
    url: req(c.url),
    signed: one(c.signed) ?? false,
    persisted: one(c.persisted) ?? true,
    sslverify: one(c.sslverify) ?? false,
  };
}

function readBool(el: XmlElement): boolean {
  const v = textOnly(el);
  if (!BOOL.test(v)) fail('schema', el, `element "${el.name}": invalid value "${v}" (expected true, false, yes or no)`);
  return /^(true|yes)$/i.test(v);
}

/** `<disk><size>` in bytes. */
export function readDisk(el: XmlElement): number {
  onlyAttributes(el, []);
  const c = readChildren(el, { size: { required: true, read: (s) => ({ el: s, text: textOnly(s) }) } });
  const size = req(c.size);
  const r = parseDiskSize(size.text);
  if (!r.ok) fail(r.kind, size.el, r.reason);
  return r.bytes;
}

