/**
 * Reads the machine's apt sources (deb822 `*.sources` and one-line `*.list`), so tests and examples
 * use the mirror this machine can reach instead of a hard-coded host.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface AptSource {
  uris: string[];
  suites: string[];
  components: string[];
  signedBy?: string;
}

const DEFAULT_DIR = '/etc/apt/sources.list.d';
const DEFAULT_LIST = '/etc/apt/sources.list';

/** Parses deb822 text: paragraphs separated by blank lines; only `Types: deb` entries are kept. */
export function parseDeb822Sources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let current: string | null = null;
    for (const raw of paragraph.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && current) {
        // Continuation line (e.g. an inline Signed-By key block).
        fields.set(current, `${fields.get(current)}\n${raw.trim()}`);
        continue;
      }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
      if (!m) continue;
      current = m[1].toLowerCase();
      fields.set(current, m[2].trim());
    }
    const types = (fields.get('types') ?? '').split(/\s+/);
    if (!types.includes('deb')) continue;
    if ((fields.get('enabled') ?? 'yes').toLowerCase() === 'no') continue;
    const uris = words(fields.get('uris'));
    const suites = words(fields.get('suites'));
    if (uris.length === 0 || suites.length === 0) continue;
    const source: AptSource = { uris, suites, components: words(fields.get('components')) };
    const signedBy = fields.get('signed-by');
    if (signedBy) source.signedBy = signedBy;
    out.push(source);
  }
  return out;
}

/** Parses one-line style: `deb [options] URI SUITE COMPONENT...`. */
export function parseOneLineSources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line.startsWith('deb ')) continue;
    let rest = line.slice(4).trim();
    let signedBy: string | undefined;
    const opts = /^\[([^\]]*)\]\s*/.exec(rest);
    if (opts) {
      rest = rest.slice(opts[0].length);
      const sb = /(?:^|\s)signed-by=(\S+)/.exec(opts[1]);
      if (sb) signedBy = sb[1];
    }
    const [uri, suite, ...components] = rest.split(/\s+/);
    if (!uri || !suite) continue;
    const source: AptSource = { uris: [uri], suites: [suite], components };
    if (signedBy) source.signedBy = signedBy;
    out.push(source);
  }
  return out;
}

/** All enabled `deb` entries of the machine, in apt's reading order (sources.list first). */
export async function readAptSources(dir = DEFAULT_DIR, listFile = DEFAULT_LIST): Promise<AptSource[]> {
  const out: AptSource[] = [];
  const main = await readOptional(listFile);
  if (main !== null) out.push(...parseOneLineSources(main));
  let names: string[] = [];
  try { names = (await readdir(dir)).sort(); } catch { /* no directory */ }
  for (const name of names) {
    const text = await readOptional(join(dir, name));
    if (text === null) continue;
    if (name.endsWith('.sources')) out.push(...parseDeb822Sources(text));
    else if (name.endsWith('.list')) out.push(...parseOneLineSources(text));
  }
  return out;
}

/**
 * URL of the machine's main Debian archive: the first entry whose suites include a plain release
 * suite (no `-updates`/`-security`/`-backports` suffix).
 */
export async function debianMirrorUrl(dir = DEFAULT_DIR, listFile = DEFAULT_LIST): Promise<string> {
  const sources = await readAptSources(dir, listFile);
  const main = sources.find((s) => s.suites.some((suite) => !suite.includes('-') && !suite.includes('/')));
  if (!main) throw new Error(`no apt source with a main suite in ${listFile} or ${dir}`);
  return main.uris[0].replace(/\/+$/, '');
}

function words(value: string | undefined): string[] {
  return value ? value.split(/\s+/).filter(Boolean) : [];
}

async function readOptional(path: string): Promise<string | null> {
  try { return await readFile(path, 'utf8'); } catch { return null; }
}
