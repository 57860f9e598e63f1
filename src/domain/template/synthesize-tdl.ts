/**
 * The TDL stored with an imported disk (the original's BaseImageImporter synthesised one too, so
 * that every base image has a template that names its OS).
 */
import { AppError } from '../errors.js';
import type { TdlArch } from './tdl.js';
import { TDL_ARCHES } from './tdl.js';
import { escapeXmlText } from './xml-escape.js';

export interface SynthesizeTdlInput {
  name: string;
  osName: string;
  osVersion: string;
  arch: TdlArch;
  description?: string | null;
}

/**
 * The URL written into `<install type="url">` of a synthesised template. The schema requires an
 * install section, and `<url>` is free text there (oz/tdl.rng: `<element name='url'><text/>`), so
 * any absolute URL validates. The original wrote a made-up http URL on someone else's domain; we
 * write a file: URL that honestly names no install tree. It is never fetched: an imported image is
 * never installed from its template, and parseTdl's file: URL restriction only covers content a
 * build copies into an image (files, commands, extras, repositories), not the install source.
 */
export const IMPORTED_INSTALL_URL = 'file:///imported';

/** Returns TDL XML for an imported disk; the result passes parseTdl(). */
export function synthesizeTdl(input: SynthesizeTdlInput): string {
  const name = required(input.name, 'name');
  const osName = required(input.osName, 'osName');
  const osVersion = required(input.osVersion, 'osVersion');
  if (!(TDL_ARCHES as readonly string[]).includes(input.arch)) {
    throw new AppError('REQUEST_INVALID', `unsupported architecture "${input.arch}" (expected one of ${TDL_ARCHES.join(', ')})`);
  }
  const description = input.description?.trim();
  return [
    '<template version="1.0">',
    `  <name>${escapeXmlText(name)}</name>`,
    '  <os>',
    `    <name>${escapeXmlText(osName)}</name>`,
    `    <version>${escapeXmlText(osVersion)}</version>`,
    `    <arch>${input.arch}</arch>`,
    '    <install type="url">',
    '      <!-- Imported disk image: nothing was installed from this URL; it names no install tree. -->',
    `      <url>${IMPORTED_INSTALL_URL}</url>`,
    '    </install>',
    '  </os>',
    ...(description ? [`  <description>${escapeXmlText(description)}</description>`] : []),
    '</template>',
    '',
  ].join('\n');
}

function required(value: string, what: string): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!v) throw new AppError('REQUEST_INVALID', `synthesizeTdl: ${what} must not be empty`);
  return v;
}
