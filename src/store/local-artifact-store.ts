import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rm, rename, stat, unlink, constants } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactName, ArtifactOwners, ArtifactStore, ReadableArtifact } from '../core/ports/artifact-store.js';

/**
 * Image files on the local filesystem:
 *   <storage>/<id>.body              the image body (raw_image)
 *   <storage>/<id>/<artifact>        rootfs.tar, build.log, serial.log, sbom.spdx.json
 *   <scratch>/<id>/                  a build's private work directory
 * Storage and scratch must be on one filesystem so finished files are moved in with rename().
 */
export class LocalArtifactStore implements ArtifactStore {
  constructor(private readonly dirs: { storage: string; scratch: string; cache: string }) {}

  async init(): Promise<void> {
    for (const d of Object.values(this.dirs)) await mkdir(d, { recursive: true });
  }

  bodyPath(imageId: string): string {
    return join(this.dirs.storage, `${safeId(imageId)}.body`);
  }

  artifactPath(imageId: string, name: ArtifactName): string {
    return join(this.dirs.storage, safeId(imageId), name);
  }

  async makeScratchDir(imageId: string): Promise<string> {
    const dir = join(this.dirs.scratch, safeId(imageId));
    await mkdir(dir, { recursive: true });
    await mkdir(join(this.dirs.storage, safeId(imageId)), { recursive: true });
    return dir;
  }

  async removeScratch(imageId: string): Promise<void> {
    await rm(join(this.dirs.scratch, safeId(imageId)), { recursive: true, force: true });
  }

  async removeAll(imageId: string): Promise<void> {
    await rm(this.bodyPath(imageId), { force: true });
    await rm(join(this.dirs.storage, safeId(imageId)), { recursive: true, force: true });
    await this.removeScratch(imageId);
  }

  async install(fromPath: string, toPath: string): Promise<void> {
    await mkdir(join(toPath, '..'), { recursive: true });
    try {
      await rename(fromPath, toPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      await copyFile(fromPath, `${toPath}.partial`);
      await rename(`${toPath}.partial`, toPath);
      await unlink(fromPath);
    }
  }

  async share(fromPath: string, toPath: string): Promise<void> {
    await mkdir(join(toPath, '..'), { recursive: true });
    await rm(toPath, { force: true });
    try {
      await link(fromPath, toPath);
    } catch {
      await copyFile(fromPath, toPath, constants.COPYFILE_FICLONE);
    }
  }

  async exists(path: string): Promise<boolean> {
    try { await stat(path); return true; } catch { return false; }
  }

  async removeUnowned(owners: ArtifactOwners): Promise<string[]> {
    const removed: string[] = [];
    // One entry that cannot go (a mount that would not come off) must not stop the daemon starting.
    const remove = async (path: string) => { if (await rm(path, { recursive: true, force: true }).then(() => true, () => false)) removed.push(path); };
    // Only names this store makes are considered; anything else in the directories is left alone.
    for (const e of await readdir(this.dirs.storage, { withFileTypes: true })) {
      const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\.body(?:\.partial)?)?$/i.exec(e.name);
      if (!m) continue;
      const keep = m[2] === undefined ? e.isDirectory() && owners.files.has(m[1]) : m[2] === '.body' && e.isFile() && owners.bodies.has(m[1]);
      if (!keep) await remove(join(this.dirs.storage, e.name));
      else if (e.isDirectory()) {
        // A copy cut short by the crash (install() across filesystems writes <name>.partial first).
        for (const f of await readdir(join(this.dirs.storage, e.name))) if (f.endsWith('.partial')) await remove(join(this.dirs.storage, e.name, f));
      }
    }
    for (const e of await readdir(this.dirs.scratch, { withFileTypes: true })) {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(e.name)) continue;
      if (!(e.isDirectory() && owners.scratch.has(e.name))) await remove(join(this.dirs.scratch, e.name));
    }
    return removed;
  }

  cacheDir(): string {
    return this.dirs.cache;
  }

  async openRead(path: string): Promise<ReadableArtifact | undefined> {
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    return { size: st.size, modified: st.mtime, stream: async (range) => createReadStream(path, range) };
  }
}

/** Ids are UUIDs we generate; refuse anything that could escape the storage directory. */
function safeId(id: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(id)) throw new Error(`invalid image id for storage: ${id}`);
  return id;
}
