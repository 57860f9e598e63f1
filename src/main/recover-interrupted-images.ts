import type { StatusWriter } from '../core/builds/status-writer.js';
import type { BuildScheduler } from '../core/ports/build-scheduler.js';
import type { ImageStore } from '../core/ports/image-store.js';
import type { Logger } from '../core/ports/logger.js';

/**
 * At start-up no build is running, so an image left NEW, PENDING or BUILDING (the daemon died or was
 * killed) is marked FAILED with the reason, and one left DELETING becomes DELETEFAILED: never stuck.
 * A push that uses a daemon-kept credential set is started again instead: nothing it needs was lost,
 * and provider plugins resume or redo uploads idempotently.
 */
export async function recoverInterruptedImages(store: ImageStore, status: StatusWriter, logger: Logger, engine: BuildScheduler): Promise<void> {
  for (const image of await store.list({ statuses: ['NEW', 'PENDING', 'BUILDING', 'DELETING'] })) {
    if (image.kind === 'provider_image' && image.credentialsRef && image.status !== 'DELETING') {
      logger.warn({ imageId: image.id, status: image.status }, 'push was interrupted by a daemon restart; starting it again');
      await status.transition(image.id, 'PENDING', { activity: 'Restarting the push after a daemon restart' });
      engine.start(image);
    } else if (image.status === 'NEW' || image.status === 'PENDING' || image.status === 'BUILDING') {
      logger.warn({ imageId: image.id, status: image.status }, 'build was interrupted by a daemon restart');
      await status.fail(image, `imagefactoryd stopped while this image was ${image.status} (it did not shut down cleanly); create the image again`);
    } else if (image.status === 'DELETING') {
      await status.transition(image.id, 'DELETEFAILED', { activity: 'Failed to delete image.', error: 'imagefactoryd stopped while deleting this image; delete it again' });
    }
  }
}
