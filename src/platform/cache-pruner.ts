import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

interface CachedFile { path: string; size: number; used: number }

/**
 * Keeps a download cache under `maxBytes` by deleting the least recently used files (by access or
 * modification time, whichever is later). Returns what it removed. Files in use by a running build
 * are safe: a deleted cached .deb is downloaded again if needed, a layer whose tar or metadata is
 * gone is rebuilt. Lock directories (`*.lock`) are left alone.
 */
export async function pruneCache(dir: string, maxBytes: number): Promise<{ removedFiles: number; removedBytes: number; keptBytes: number }> {
  const files = await listFiles(dir);
  let total = files.reduce((sum, f) => sum + f.size, 0);
  let removedFiles = 0;
  let removedBytes = 0;
  for (const f of files.sort((a, b) => a.used - b.used)) {
    if (total <= maxBytes) break;
    await rm(f.path, { force: true });
    total -= f.size;
    removedBytes += f.size;
    removedFiles++;
  }
  return { removedFiles, removedBytes, keptBytes: total };
}

async function listFiles(dir: string): Promise<CachedFile[]> {
  const out: CachedFile[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const path = join(dir, e.name);
    // A held lock (tree-layer-store, pid-lock) is not cache content; its owner file must stay.
    if (e.isDirectory() && /\.(lock|takeover)$/.test(e.name)) continue;
    if (e.isDirectory()) out.push(...await listFiles(path));
    else if (e.isFile()) {
      const st = await lstat(path).catch(() => undefined);
      if (st) out.push({ path, size: st.blocks * 512, used: Math.max(st.atimeMs, st.mtimeMs) });
    }
  }
  return out;
}
