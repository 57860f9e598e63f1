import { readdir, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { BuildEngine } from '../core/builds/build-engine.js';
import type { StatusWriter } from '../core/builds/status-writer.js';
import { runDelete, type DeleteImageDeps } from '../core/images/delete-image.js';
import type { ArtifactStore } from '../core/ports/artifact-store.js';
import type { CredentialStore } from '../core/ports/credential-store.js';
import type { ImageStore } from '../core/ports/image-store.js';
import type { Logger } from '../core/ports/logger.js';
import type { ImageRecord } from '../domain/image.js';

export interface RecoveryDeps {
  store: ImageStore;
  status: StatusWriter;
  engine: Pick<BuildEngine, 'start'>;
  artifacts: ArtifactStore;
  deleteDeps: DeleteImageDeps;
  /** Pushes and provider deletes that name a credential set can go on after a restart. */
  credentials: CredentialStore;
  /** The tools' TMPDIR: nothing in it outlives the daemon that started them. */
  tmpdir: string;
  dataDir: string;
  logger: Logger;
}

/**
 * At start-up no build is running (the previous daemon's tool processes and FUSE exports were
 * already cleaned up), so every record left mid-way is settled and every file no record owns goes:
 * - NEW/PENDING base and target images had not started: they are queued again (nothing to fail);
 *   provider images with inline credentials cannot be (those were only in memory), so they are
 *   FAILED saying so;
 * - provider images that name a credential set are queued again whatever their status: nothing
 *   they need was lost, and provider plugins reuse what an earlier attempt uploaded;
 * - BUILDING images are FAILED with the reason (their half-done work is discarded);
 * - DELETING/DELETED images are deleted to the end (a provider image still on its provider needs
 *   credentials: with a credential set it is deleted with it, otherwise it becomes DELETEFAILED
 *   asking for a new delete);
 * - scratch directories, half-copied files, bodies of images that are not COMPLETE and files of
 *   images without a record are removed, and the tools' TMPDIR is emptied (when it is our own).
 */
export async function recoverInterruptedImages(deps: RecoveryDeps): Promise<void> {
  const { store, status, logger } = deps;
  const requeue: ImageRecord[] = [];
  const finishDelete: ImageRecord[] = [];
  for (const image of await store.list({ statuses: ['NEW', 'PENDING', 'BUILDING', 'DELETING', 'DELETED'] })) {
    const settling = image.status === 'DELETING' || image.status === 'DELETED';
    if (!settling && image.kind === 'provider_image' && image.credentialsRef) {
      requeue.push(image);
    } else if ((image.status === 'NEW' || image.status === 'PENDING') && image.kind !== 'provider_image') {
      requeue.push(image);
    } else if (image.status === 'NEW' || image.status === 'PENDING') {
      await status.fail(image, 'imagefactoryd restarted before this push started; the provider credentials are kept in memory only, so create the provider image again');
    } else if (image.status === 'BUILDING') {
      logger.warn({ imageId: image.id }, 'build was interrupted by a daemon restart');
      await status.fail(image, 'imagefactoryd stopped while this image was BUILDING (it did not shut down cleanly); create the image again');
    } else {
      finishDelete.push(image);
    }
  }

  const all = await store.list();
  const removed = await deps.artifacts.removeUnowned({
    bodies: new Set(all.filter((i) => i.status === 'COMPLETE' || i.status === 'DELETEFAILED').map((i) => i.id)),
    files: new Set(all.filter((i) => !finishDelete.includes(i)).map((i) => i.id)),
    // An imported disk waits in its scratch directory until its build converts it.
    scratch: new Set(requeue.map((i) => i.id)),
  });
  // Only a TMPDIR of our own (inside the data directory, the default) is emptied: a shared one
  // (tmpdir set to /tmp) holds other programs' files.
  const ownTmp = isInside(deps.tmpdir, deps.dataDir);
  for (const entry of ownTmp ? await readdir(deps.tmpdir).catch(() => [] as string[]) : []) {
    if (await rm(join(deps.tmpdir, entry), { recursive: true, force: true }).then(() => true, () => false)) removed.push(join(deps.tmpdir, entry));
  }
  if (removed.length) logger.warn({ removed: removed.length, paths: removed.slice(0, 50) }, 'removed files left by an interrupted daemon');

  for (const image of finishDelete) {
    const setCredentials = image.credentialsRef ? deps.credentials.get(image.credentialsRef) : undefined;
    if (image.kind === 'provider_image' && image.identifierOnProvider && setCredentials !== undefined) {
      logger.warn({ imageId: image.id }, 'finishing a provider delete interrupted by a daemon restart, with its credential set');
      await runDelete(deps.deleteDeps, image, { credentials: setCredentials });
      continue;
    }
    if (image.kind === 'provider_image' && image.identifierOnProvider) {
      await status.transition(image.id, 'DELETEFAILED', {
        activity: 'Failed to delete image.',
        error: 'imagefactoryd stopped while deleting this image from its provider; delete it again (with credentials) to finish',
      });
      continue;
    }
    logger.warn({ imageId: image.id }, 'finishing a delete interrupted by a daemon restart');
    await runDelete(deps.deleteDeps, image, {});
  }

  for (const image of requeue) {
    logger.warn({ imageId: image.id, status: image.status }, 'queuing a build again that had not started before a daemon restart');
    const queued = await status.transition(image.id, 'PENDING', { activity: 'Queued again after a daemon restart' });
    if (queued) deps.engine.start(queued);
  }
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
