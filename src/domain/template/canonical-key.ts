/**
 * The build-cache key of a template: a canonical JSON of everything in a parsed TDL that can change
 * the base image a build produces. Because it is computed from the parsed form, whitespace,
 * attribute order, element order inside interleaves, comments, CDATA vs escaped text, `G` vs `GiB`,
 * bool spellings (`Yes` / `true`), and explicit vs implicit command order that give the same run
 * order all yield the same key; any change of a value yields a different key.
 *
 * Everything is included, deliberately even `name` and `description` (the description is written
 * into the ICICLE and a plugin may use the name, e.g. as a hostname): a cache miss costs a rebuild,
 * a false hit would hand out the wrong image. Only these are normalised away:
 * - `version` (only "1.0" exists; absent means the same),
 * - command `position` (the list is already in run order),
 * - an absent disk size (the plugins' default, DEFAULT_DISK_SIZE_BYTES).
 *
 * The key contains the template's secrets (rootpw, key, file contents) and can be large: store
 * canonicalTemplateDigest() where a short, secret-free key is wanted.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_DISK_SIZE_BYTES, type Tdl, type TdlCommand } from './tdl.js';

/** Bump when the meaning of the key changes, so old cache entries stop matching. */
const KEY_FORMAT = 1;

export function canonicalTemplateKey(tdl: Tdl): string {
  const strip = (cmds: TdlCommand[]) => cmds.map(({ name, type, content }) => ({ name, type, content }));
  const { version: _version, ...rest } = tdl;
  return canonicalJson({
    format: KEY_FORMAT,
    template: {
      ...rest,
      commands: strip(tdl.commands),
      precommands: strip(tdl.precommands),
      diskSizeBytes: tdl.diskSizeBytes ?? DEFAULT_DISK_SIZE_BYTES,
    },
  });
}

/** `sha256:<hex>` of canonicalTemplateKey(): same equality, fixed length, no secrets in clear. */
export function canonicalTemplateDigest(tdl: Tdl): string {
  return `sha256:${createHash('sha256').update(canonicalTemplateKey(tdl)).digest('hex')}`;
}

/** JSON with object keys sorted (by UTF-16 code units) at every level and no insignificant whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    if (s === undefined) throw new TypeError(`canonicalJson: unsupported value ${String(value)}`);
    return s;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
