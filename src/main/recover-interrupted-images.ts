import type { StatusWriter } from '../core/builds/status-writer.js';
import type { ImageStore } from '../core/ports/image-store.js';
import type { Logger } from '../core/ports/logger.js';

/**
 * At start-up no build is running, so an image left NEW, PENDING or BUILDING (the daemon died or was
 * killed) is marked FAILED with the reason, and one left DELETING becomes DELETEFAILED: never stuck.
 */
export async function recoverInterruptedImages(store: ImageStore, status: StatusWriter, logger: Logger): Promise<void> {
  for (const image of await store.list({ statuses: ['NEW', 'PENDING', 'BUILDING', 'DELETING'] })) {
    if (image.status === 'NEW' || image.status === 'PENDING' || image.status === 'BUILDING') {
      logger.warn({ imageId: image.id, status: image.status }, 'build was interrupted by a daemon restart');
      await status.fail(image, `imagefactoryd stopped while this image was ${image.status} (it did not shut down cleanly); create the image again`);
    } else if (image.status === 'DELETING') {
      await status.transition(image.id, 'DELETEFAILED', { activity: 'Failed to delete image.', error: 'imagefactoryd stopped while deleting this image; delete it again' });
    }
  }
}
