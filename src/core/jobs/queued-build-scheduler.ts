import { TERMINAL_STATUSES, type ImageRecord, type ImageStatus } from '../../domain/image.js';
import type { ImageEvents } from '../builds/image-events.js';
import type { StatusWriter } from '../builds/status-writer.js';
import type { BuildScheduler } from '../ports/build-scheduler.js';
import type { ImageStore } from '../ports/image-store.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PluginCatalog } from '../ports/plugin-catalog.js';
import type { WorkerRegistry } from '../ports/worker-registry.js';
import { imageJobSpec } from './image-job-spec.js';

export interface QueuedBuildSchedulerDeps {
  queue: JobQueue;
  workers: WorkerRegistry;
  store: ImageStore;
  status: StatusWriter;
  events: ImageEvents;
  plugins: PluginCatalog;
  logger: Logger;
  /** How often images being built elsewhere are looked at (events, dead jobs, missing capabilities). */
  watchMs: number;
  /** Object stores: makes what the daemon received (an imported disk) visible to the workers. */
  publish?: (imageId: string) => Promise<void>;
  /** Attempts per job (job_max_attempts). */
  maxAttempts: number;
  /** A worker not heard from for this long no longer counts. */
  workerAliveSeconds: number;
}

/**
 * `build_mode: queue`: the daemon builds nothing itself. Each image becomes a job in the shared queue;
 * workers run it and write every transition to the shared database. The daemon watches the images it
 * has in flight so that callbacks and the catalog sync still see each change, marks an image FAILED when
 * its job died for good without a worker saying so, and tells users when no worker can take a job.
 * A daemon restart loses nothing: `resume` picks up every unfinished image again.
 */
export class QueuedBuildScheduler implements BuildScheduler {
  private readonly watched = new Map<string, { status: ImageStatus; updatedAt: string }>();
  private readonly enqueuing = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private watching: Promise<void> = Promise.resolve();

  constructor(private readonly deps: QueuedBuildSchedulerDeps) {
    // Changes this daemon writes itself are announced already: remember them so watch() does not repeat them.
    deps.events.subscribe(({ image }) => {
      if (this.watched.has(image.id)) this.watched.set(image.id, { status: image.status, updatedAt: image.updatedAt });
    });
  }

  /** At start-up: enqueue (idempotently) every unfinished image and watch it. */
  async resume(): Promise<void> {
    for (const image of await this.deps.store.list({ statuses: ['NEW', 'PENDING', 'BUILDING'] })) {
      await this.deps.queue.enqueue(imageJobSpec(image, this.deps.plugins, this.deps.maxAttempts));
      this.watched.set(image.id, { status: image.status, updatedAt: image.updatedAt });
    }
    this.timer = setInterval(() => { this.watching = this.watching.then(() => this.watch()).catch((e) => this.deps.logger.warn({ err: e }, 'watching queued builds failed')); }, this.deps.watchMs);
    this.timer.unref();
  }

  start(image: ImageRecord): void {
    this.watched.set(image.id, { status: image.status, updatedAt: image.updatedAt });
    // A dependency unknown to the queue counts as ended: the parent's job must exist before the child's.
    const parentId = image.kind === 'target_image' ? image.baseImageId : image.kind === 'provider_image' ? image.targetImageId : null;
    const parent = (parentId && this.enqueuing.get(parentId)) || Promise.resolve();
    const done = parent.then(() => this.enqueue(image)).catch(() => undefined).finally(() => { if (this.enqueuing.get(image.id) === done) this.enqueuing.delete(image.id); });
    this.enqueuing.set(image.id, done);
  }

  /** Enqueues (idempotently); on failure the image stays NEW and watch() tries again: builds pause, not fail. */
  private async enqueue(image: ImageRecord): Promise<void> {
    try {
      await this.deps.publish?.(image.id);
      await this.deps.queue.enqueue(imageJobSpec(image, this.deps.plugins, this.deps.maxAttempts));
      // Unless a worker was quicker: it must not be set back from BUILDING.
      if ((await this.deps.store.get(image.id))?.status === 'NEW') await this.deps.status.transition(image.id, 'PENDING', { activity: 'Queued for a build worker' });
    } catch (e) {
      // Also a daemon stopping meanwhile: the job (or its absence) is found again at the next start.
      this.deps.logger.warn({ err: e, imageId: image.id }, 'enqueueing a build failed; trying again');
    }
  }

  /** A DELETE: the job is cancelled; its worker kills the build at its next heartbeat and lets go. */
  async cancel(imageId: string): Promise<void> {
    await this.deps.queue.cancel(imageId);
    const deadline = Date.now() + this.deps.workerAliveSeconds * 1000;
    while (Date.now() < deadline) {
      const busy = (await this.deps.workers.list(this.deps.workerAliveSeconds)).some((w) => w.currentJobs.includes(imageId));
      if (!busy) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    this.watched.delete(imageId);
  }

  isRunning(imageId: string): boolean {
    return this.watched.has(imageId);
  }

  async settled(imageId: string): Promise<void> {
    while (this.watched.has(imageId)) await new Promise((r) => setTimeout(r, this.deps.watchMs));
  }

  /** Jobs keep running on the workers and survive this daemon: only the watching stops. */
  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.watching;
  }

  private async watch(): Promise<void> {
    if (!this.watched.size) return;
    const workers = await this.deps.workers.list(this.deps.workerAliveSeconds);
    const capable = new Set(workers.flatMap((w) => w.capabilities));
    for (const [id, seen] of this.watched) {
      const image = await this.deps.store.get(id);
      if (!image) { this.watched.delete(id); continue; }
      if (image.updatedAt !== seen.updatedAt) {
        this.deps.events.emit({ image, previousStatus: image.status !== seen.status ? seen.status : undefined });
        this.watched.set(id, { status: image.status, updatedAt: image.updatedAt });
      }
      if (TERMINAL_STATUSES.has(image.status) || image.status === 'DELETING') { this.watched.delete(id); continue; }
      const job = await this.deps.queue.get(id);
      if (!job) {
        if (image.status === 'NEW') await this.enqueue(image);
        continue;
      }
      if (job.state === 'failed' || job.state === 'cancelled') {
        // The job ended without a worker recording it (a lease expired on the last attempt).
        await this.deps.status.fail(image, `The build job ${job.state === 'failed' ? 'failed' : 'was cancelled'} after ${job.attempt} attempt(s): ${job.error ?? 'no reason recorded'}`);
      } else if ((job.state === 'queued' || job.state === 'retry') && !capable.has(job.requires)) {
        const activity = `Waiting for a worker with capability "${job.requires}": none of the ${workers.length} connected worker(s) has it`;
        if (image.statusDetail.activity !== activity) await this.deps.status.transition(id, 'PENDING', { activity });
      }
    }
  }
}
