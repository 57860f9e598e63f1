import type { ImageRecord } from '../../domain/image.js';

/**
 * Runs image builds. The default is the in-process BuildEngine (bounded slots, persisted
 * transitions); a PostgreSQL-backed queue with remote workers can implement the same port.
 */
export interface BuildScheduler {
  /** Starts (or queues) the build of a freshly persisted image; credentials only for pushes, in memory. */
  start(image: ImageRecord, credentials?: unknown): void;
  /** Stops a build for a delete; resolves once its processes are gone. */
  cancel(imageId: string): Promise<void>;
  isRunning(imageId: string): boolean;
  /** Resolves when the image's build (if any) has settled. */
  settled(imageId: string): Promise<void>;
  /** Stops every build (each ends FAILED with the reason) and resolves when all have settled. */
  shutdown(signal: string): Promise<void>;
}
