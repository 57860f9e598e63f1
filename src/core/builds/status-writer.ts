import { COMPLETE_ACTIVITY, FAILED_ACTIVITY, type ImageRecord, type ImageStatus } from '../../domain/image.js';
import type { ImagePatch, ImageStore } from '../ports/image-store.js';
import type { ImageEvents } from './image-events.js';

/**
 * Persists every status transition and progress change (unlike the original, which saved only the
 * final state), then announces it.
 */
export class StatusWriter {
  constructor(private readonly store: ImageStore, private readonly events: ImageEvents) {}

  async transition(id: string, status: ImageStatus, detail: { activity: string; error?: string | null }, extra: ImagePatch = {}): Promise<ImageRecord | undefined> {
    const before = await this.store.get(id);
    if (!before) return undefined;
    const image = await this.store.update(id, { ...extra, status, statusDetail: { activity: detail.activity, error: detail.error ?? null } });
    if (image) this.events.emit({ image, previousStatus: before.status !== status ? before.status : undefined });
    return image;
  }

  async complete(image: ImageRecord, extra: ImagePatch = {}): Promise<ImageRecord | undefined> {
    return this.transition(image.id, 'COMPLETE', { activity: COMPLETE_ACTIVITY[image.kind] }, { percentComplete: 100, ...extra });
  }

  async fail(image: ImageRecord, error: string): Promise<ImageRecord | undefined> {
    return this.transition(image.id, 'FAILED', { activity: FAILED_ACTIVITY[image.kind], error });
  }

  /** Progress within the current status (progress-reporter.ts decides when, and keeps it monotonic). */
  async progress(id: string, percent: number, activity: string): Promise<void> {
    const image = await this.store.update(id, { percentComplete: percent, statusDetail: { activity, error: null } });
    if (image) this.events.emit({ image });
  }

  /** Every persisted image change (the engine shows a parent's progress in its waiting children). */
  subscribe(listener: Parameters<ImageEvents['subscribe']>[0]): () => void {
    return this.events.subscribe(listener);
  }
}
