/**
 * A file manifest of a tar (GNU/pax, as `tar --xattrs` writes it): one line per entry with type,
 * mode, owner, link target, xattrs, and the size and sha256 of regular files' contents; mtimes
 * are left out. Two trees with equal manifests hold the same files with the same contents.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

export interface ManifestEntry {
  path: string;
  /** Type, mode, owner, link target, xattrs. */
  line: string;
  /** Size and sha256 of a regular file's contents, else null. */
  content: string | null;
}

const BLOCK = 512;

function str(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const nul = s.indexOf(0);
  return (nul >= 0 ? s.subarray(0, nul) : s).toString('utf8');
}

function num(b: Buffer, start: number, len: number): number {
  if (b[start] & 0x80) {
    // GNU base-256 for large values.
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + b[i];
    return v;
  }
  return parseInt(str(b, start, len).trim() || '0', 8);
}

function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = Number(data.subarray(i, space).toString());
    if (!len) break;
    const rec = data.subarray(space + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

export async function tarManifest(tarPath: string): Promise<Map<string, ManifestEntry>> {
  const fh = await open(tarPath, 'r');
  const entries = new Map<string, ManifestEntry>();
  let pos = 0;
  const read = async (n: number): Promise<Buffer> => {
    const b = Buffer.alloc(n);
    const { bytesRead } = await fh.read(b, 0, n, pos);
    pos += n;
    return b.subarray(0, bytesRead);
  };
  try {
    let longName: string | null = null;
    let longLink: string | null = null;
    let pax = new Map<string, string>();
    for (;;) {
      const h = await read(BLOCK);
      if (h.length < BLOCK || h.every((x) => x === 0)) break;
      const type = String.fromCharCode(h[156] || 0x30);
      const size = num(h, 124, 12);
      const padded = Math.ceil(size / BLOCK) * BLOCK;
      if (type === 'L' || type === 'K' || type === 'x' || type === 'g') {
        const data = (await read(padded)).subarray(0, size);
        if (type === 'L') longName = str(data, 0, data.length);
        else if (type === 'K') longLink = str(data, 0, data.length);
        else if (type === 'x') pax = paxRecords(data);
        continue;
      }
      const prefix = h.subarray(257, 262).toString() === 'ustar' ? str(h, 345, 155) : '';
      const path = (pax.get('path') ?? longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100))).replace(/^\.\//, '/').replace(/\/$/, '') || '/';
      const link = pax.get('linkpath') ?? longLink ?? str(h, 157, 100);
      const xattrs = [...pax.keys()].filter((k) => k.startsWith('SCHILY.xattr.')).map((k) => `${k.slice(13)}=${createHash('sha256').update(pax.get(k)!).digest('hex').slice(0, 12)}`).sort();
      let sha256: string | null = null;
      if (type === '0' || type === '7') {
        const hash = createHash('sha256');
        let left = size;
        while (left > 0) {
          const chunk = await read(Math.min(left, 1 << 20));
          hash.update(chunk);
          left -= chunk.length;
          if (chunk.length === 0) break;
        }
        pos += padded - size;
        sha256 = hash.digest('hex');
      } else {
        pos += padded;
      }
      const mode = (num(h, 100, 8) & 0o7777).toString(8);
      const line = [type, mode, `${num(h, 108, 8)}:${num(h, 116, 8)}`, link ? `-> ${link.replace(/^\.\//, '/')}` : '', xattrs.join(',')].join(' ').trim();
      entries.set(path, { path, line, content: sha256 === null ? null : `${size} ${sha256}` });
      longName = null; longLink = null; pax = new Map();
    }
  } finally {
    await fh.close();
  }
  return entries;
}

/** Differences between two manifests: paths only in one, and entries whose line or content differ. */
export function diffManifests(a: Map<string, ManifestEntry>, b: Map<string, ManifestEntry>, ignoreContent: (path: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const [p, e] of a) {
    const o = b.get(p);
    if (!o) out.push(`only in the first: ${p}`);
    else if (o.line !== e.line) out.push(`${p}: ${e.line} ≠ ${o.line}`);
    else if (o.content !== e.content && !ignoreContent(p)) out.push(`${p}: content differs (${e.content} ≠ ${o.content})`);
  }
  for (const p of b.keys()) if (!a.has(p)) out.push(`only in the second: ${p}`);
  return out;
}
