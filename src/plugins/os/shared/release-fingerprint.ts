/**
 * A cheap fingerprint of a package archive's current state: the sha256 of its signed release file
 * (Debian `dists/SUITE/InRelease`, else `Release`; RPM `repodata/repomd.xml`), fetched at build
 * time (a few KiB). Cached layers are keyed by it, so a mirror update makes the next build refresh
 * the layer, and comparing it with the file the installer itself fetched tells whether the mirror
 * changed during the build.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../../domain/errors.js';

export interface ReleaseFingerprint {
  /** URL of the file that was hashed. */
  url: string;
  sha256: string;
  /** The Release file's `Date:` (Debian) or repomd's `<revision>` (RPM), for people reading properties. */
  date: string | null;
}

const TIMEOUT_MS = 20_000;

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Fetches the first of `urls` that exists (http(s) or file://). */
export async function fetchReleaseFingerprint(urls: readonly string[], signal?: AbortSignal): Promise<ReleaseFingerprint> {
  const problems: string[] = [];
  for (const url of urls) {
    const body = await fetchSmall(url, signal).catch((e: Error) => { problems.push(`${url}: ${e.message}`); return null; });
    if (body === null) continue;
    const text = body.toString('utf8');
    const date = /^Date:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? /<revision>([^<]+)<\/revision>/.exec(text)?.[1] ?? null;
    return { url, sha256: sha256Hex(body), date };
  }
  throw new AppError('BUILD_FAILED', `the package archive's release file could not be read: ${problems.join('; ')}`);
}

async function fetchSmall(url: string, signal?: AbortSignal): Promise<Buffer> {
  if (url.startsWith('file://')) return readFile(fileURLToPath(url));
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const res = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: 'follow' });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status}`);
  }
  return Buffer.from(await res.arrayBuffer());
}
