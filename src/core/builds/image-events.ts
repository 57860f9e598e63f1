import type { ImageRecord, ImageStatus } from '../../domain/image.js';

export interface ImageChange {
  image: ImageRecord;
  /** Set when the status changed (callbacks fire only then). */
  previousStatus?: ImageStatus;
}

export type ImageChangeListener = (change: ImageChange) => void;

/** Fan-out of persisted image changes (callbacks, catalog sync). Listeners must not throw or block. */
export class ImageEvents {
  private readonly listeners = new Set<ImageChangeListener>();

  subscribe(listener: ImageChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: ImageChange): void {
    for (const l of this.listeners) {
      try { l(change); } catch { /* a listener's failure never affects a build */ }
    }
  }
}
