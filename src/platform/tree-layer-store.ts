/**
 * A cache of directory trees ("layers"), each a zstd-compressed tar named by a key the caller
 * derives from everything that shapes the tree. A layer is committed by writing its metadata
 * (with the tar's sha256) last, atomically; it is used only if the tar still has that checksum,
 * otherwise it is deleted and rebuilt. Builders of the same missing key take a PID lock, so the
 * layer is built once and the others wait and then reuse it. Layers live in the shared cache
 * directory, so the cache pruner's size limit covers them; using one refreshes its timestamps
 * (least recently used goes first).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exec } from '../plugins/sdk/exec.js';
import { acquirePidLock } from './pid-lock.js';

export interface LayerMeta {
  key: string;
  sha256: string;
  bytes: number;
  created: string;
  /** What the caller says the layer holds (release, mirror, Release date...). */
  inputs: Record<string, unknown>;
}

export interface LayerUse {
  meta: LayerMeta;
  /** cache: restored from a stored layer; built: built now (and stored for the next build). */
  source: 'cache' | 'built';
  /** False when a built layer could not be written to the cache (disk full...). */
  stored: boolean;
  /** Why a stored layer was not used, when one existed (checksum mismatch...). */
  rejected?: string;
}

export interface LayerRequest {
  /** The store's directory (inside the shared cache). */
  dir: string;
  /** Hex key naming the layer. */
  key: string;
  inputs: Record<string, unknown>;
  /** The directory to fill; must not exist yet. */
  treeDir: string;
  exec: Exec;
  log(line: string): void;
  signal?: AbortSignal;
  /** Makes the tree from nothing in `treeDir`. */
  build(treeDir: string): Promise<void>;
  /** Empties `treeDir` (unmounting anything below it) after a failed restore. */
  removeTree(treeDir: string): Promise<void>;
}

const tarPath = (dir: string, key: string) => join(dir, `${key}.tar.zst`);
const metaPath = (dir: string, key: string) => join(dir, `${key}.json`);

export function extractLayerArgv(file: string, treeDir: string): string[] {
  return ['tar', '--extract', '--zstd', '--file', file, '--directory', treeDir, '--numeric-owner', '--same-permissions',
    '--xattrs', '--xattrs-include=*'];
}

export function snapshotLayerArgv(treeDir: string, file: string): string[] {
  // zstd -T0 uses every core; level 3 is zstd's default and fast enough to stay off the critical path.
  return ['tar', '--create', '--file', file, '--use-compress-program=zstd -T0 -3', '--directory', treeDir,
    '--numeric-owner', '--one-file-system', '--xattrs', '--xattrs-include=*', '--sort=name', '.'];
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function readMeta(dir: string, key: string): Promise<LayerMeta | null> {
  try {
    const meta = JSON.parse(await readFile(metaPath(dir, key), 'utf8')) as LayerMeta;
    return meta.key === key && typeof meta.sha256 === 'string' ? meta : null;
  } catch {
    return null;
  }
}

/** Verifies and extracts a stored layer. Returns null if there is none; a reason if it was bad. */
async function tryRestore(r: LayerRequest): Promise<{ meta: LayerMeta } | { rejected: string } | null> {
  const meta = await readMeta(r.dir, r.key);
  if (!meta) return null;
  const file = tarPath(r.dir, r.key);
  const st = await stat(file).catch(() => null);
  let problem: string | null = null;
  if (!st) problem = 'its tar file is missing';
  else if (st.size !== meta.bytes) problem = `its tar file has ${st.size} bytes, ${meta.bytes} were stored (truncated?)`;
  else {
    const sum = await sha256File(file);
    if (sum !== meta.sha256) problem = `its checksum is ${sum}, ${meta.sha256} was stored (corrupted)`;
  }
  if (!problem) {
    await mkdir(r.treeDir, { recursive: true });
    try {
      await r.exec(extractLayerArgv(file, r.treeDir), { onLine: () => {} });
      const now = new Date();
      await utimes(file, now, now).catch(() => {});
      await utimes(metaPath(r.dir, r.key), now, now).catch(() => {});
      return { meta };
    } catch (e) {
      problem = `extracting it failed: ${(e as Error).message}`;
      await r.removeTree(r.treeDir);
    }
  }
  r.log(`base layer ${r.key.slice(0, 16)} is not usable: ${problem}; rebuilding it`);
  await rm(metaPath(r.dir, r.key), { force: true });
  await rm(file, { force: true });
  return { rejected: problem };
}

export async function restoreOrBuildLayer(r: LayerRequest): Promise<LayerUse> {
  await mkdir(r.dir, { recursive: true });
  const first = await tryRestore(r);
  if (first && 'meta' in first) return { meta: first.meta, source: 'cache', stored: true };
  const lock = await acquirePidLock(join(r.dir, `${r.key}.lock`), {
    signal: r.signal,
    onWait: () => r.log(`base layer ${r.key.slice(0, 16)} is being built by another build: waiting for it`),
  });
  try {
    // Whoever held the lock may have just stored it.
    const again = await tryRestore(r);
    if (again && 'meta' in again) return { meta: again.meta, source: 'cache', stored: true };
    const rejected = (again && 'rejected' in again ? again.rejected : undefined) ?? (first && 'rejected' in first ? first.rejected : undefined);
    await r.build(r.treeDir);
    const meta = await store(r).catch((e: Error) => {
      if (r.signal?.aborted) throw e;
      // The tree is good; only the next build loses the shortcut.
      r.log(`base layer ${r.key.slice(0, 16)} could not be stored (${e.message}); this build goes on without it`);
      return null;
    });
    return { meta: meta ?? { key: r.key, sha256: '', bytes: 0, created: new Date().toISOString(), inputs: r.inputs }, source: 'built',
      stored: meta !== null, ...(rejected ? { rejected } : {}) };
  } finally {
    await lock.release();
  }
}

async function store(r: LayerRequest): Promise<LayerMeta> {
  const file = tarPath(r.dir, r.key);
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await r.exec(snapshotLayerArgv(r.treeDir, tmp), { onLine: () => {} });
    const meta: LayerMeta = {
      key: r.key, sha256: await sha256File(tmp), bytes: (await stat(tmp)).size, created: new Date().toISOString(), inputs: r.inputs,
    };
    await rename(tmp, file);
    const metaTmp = `${metaPath(r.dir, r.key)}.tmp-${process.pid}`;
    await writeFile(metaTmp, `${JSON.stringify(meta, null, 2)}\n`);
    await rename(metaTmp, metaPath(r.dir, r.key));
    r.log(`base layer ${r.key.slice(0, 16)} stored: ${(meta.bytes / 1024 / 1024).toFixed(0)} MiB`);
    return meta;
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
