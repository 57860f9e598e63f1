import type { ImageChange, ImageEvents } from '../../core/builds/image-events.js';
import type { ImageKind } from '../../domain/image.js';

/** One image state change as the event stream sends it (serialised once, shared by every subscriber). */
export interface ImageEventMessage {
  /** `<epoch>-<seq>`: the SSE id a client resumes from (Last-Event-ID). */
  id: string;
  seq: number;
  /** `status` when the status changed, `progress` for percent/activity changes within a status. */
  type: 'status' | 'progress';
  imageId: string;
  kind: ImageKind;
  relatedIds: readonly string[];
  /** The whole SSE frame, ready to write. */
  frame: string;
}

/**
 * Receives the events of one flush: the messages and, precomputed once for every subscriber, all of
 * their frames joined (what an unfiltered subscriber writes).
 */
export type EventSink = (batch: readonly ImageEventMessage[], joined: string) => void;

export interface EventHubOptions {
  /** Past events kept for Last-Event-ID resume. */
  backlog?: number;
  /** Comment lines sent this often keep idle connections (and proxies) open. */
  heartbeatMs?: number;
  /**
   * Events are written to subscribers in batches at most this often: one socket write per
   * subscriber per batch instead of one per event keeps a hundred watchers cheap for the API.
   */
  batchMs?: number;
}

/**
 * Fans image changes out to event-stream subscribers. It keeps a ring of recent events so a client
 * that reconnects with Last-Event-ID gets what it missed; ids carry a per-process epoch so an id
 * from before a restart is recognised as unresumable instead of silently skipping events.
 */
export class ImageEventHub {
  readonly epoch = Date.now().toString(36);
  private seq = 0;
  private readonly ring: ImageEventMessage[] = [];
  private readonly sinks = new Set<EventSink>();
  private readonly heartbeats = new Set<() => void>();
  private readonly backlog: number;
  private readonly batchMs: number;
  private pending: ImageEventMessage[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(events: ImageEvents, options: EventHubOptions = {}) {
    this.backlog = options.backlog ?? 4096;
    this.batchMs = options.batchMs ?? 50;
    this.unsubscribe = events.subscribe((change) => this.publish(change));
    this.timer = setInterval(() => { for (const beat of this.heartbeats) beat(); }, options.heartbeatMs ?? 15_000);
    this.timer.unref();
  }

  get subscriberCount(): number {
    return this.sinks.size;
  }

  /** Registers a subscriber and its heartbeat; returns the function that removes both. */
  subscribe(sink: EventSink, heartbeat: () => void): () => void {
    this.sinks.add(sink);
    this.heartbeats.add(heartbeat);
    return () => { this.sinks.delete(sink); this.heartbeats.delete(heartbeat); };
  }

  /**
   * Events after `lastId`, or undefined when they cannot be replayed exactly (an id of another
   * daemon run, or older than the ring): the client must then reload its state.
   */
  since(lastId: string): ImageEventMessage[] | undefined {
    const m = /^([0-9a-z]+)-(\d+)$/.exec(lastId.trim());
    if (!m || m[1] !== this.epoch) return undefined;
    const seq = Number(m[2]);
    if (seq > this.seq) return undefined;
    if (seq === this.seq) return [];
    const oldest = this.ring.length ? this.ring[0].seq : this.seq + 1;
    if (seq + 1 < oldest) return undefined;
    return this.ring.filter((e) => e.seq > seq);
  }

  /** The id a new subscriber starts after (so its first reconnect resumes exactly). */
  currentId(): string {
    return `${this.epoch}-${this.seq}`;
  }

  close(): void {
    clearInterval(this.timer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.unsubscribe();
    this.sinks.clear();
    this.heartbeats.clear();
  }

  private publish({ image, previousStatus }: ImageChange): void {
    const seq = ++this.seq;
    const id = `${this.epoch}-${seq}`;
    const type = previousStatus ? 'status' : 'progress';
    const data = {
      id: image.id,
      kind: image.kind,
      status: image.status,
      previous_status: previousStatus ?? null,
      percent_complete: image.percentComplete,
      activity: image.statusDetail.activity,
      error: image.statusDetail.error,
      base_image_id: image.baseImageId,
      target_image_id: image.targetImageId,
      target: image.target,
      updated_at: image.updatedAt,
    };
    const message: ImageEventMessage = {
      id, seq, type, imageId: image.id, kind: image.kind,
      relatedIds: [image.baseImageId, image.targetImageId].filter((x): x is string => Boolean(x)),
      frame: `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`,
    };
    this.ring.push(message);
    if (this.ring.length > this.backlog) this.ring.shift();
    this.pending.push(message);
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), this.batchMs);
  }

  private flush(): void {
    this.flushTimer = null;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length || !this.sinks.size) return;
    const joined = batch.map((m) => m.frame).join('');
    for (const sink of this.sinks) {
      try { sink(batch, joined); } catch { /* one subscriber's failure never affects a build or the others */ }
    }
  }
}
