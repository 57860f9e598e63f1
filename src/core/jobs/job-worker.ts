import { AppError, isAppError } from '../../domain/errors.js';
import { TERMINAL_STATUSES, type ImageRecord } from '../../domain/image.js';
import { runBaseImageBuild } from '../builds/base-image-build.js';
import { progressReporter } from '../builds/progress-reporter.js';
import type { ProgressSink } from '../builds/build-context-factory.js';
import type { BuildDeps } from '../builds/build-deps.js';
import { BuildLog } from '../builds/build-log.js';
import { runProviderImageBuild } from '../builds/provider-image-build.js';
import { runTargetImageBuild } from '../builds/target-image-build.js';
import type { JobQueue, Lease } from '../ports/job-queue.js';
import type { WorkerRegistry } from '../ports/worker-registry.js';

export interface JobWorkerOptions {
  id: string;
  hostname: string;
  pid: number;
  capabilities: readonly string[];
  /** Builds at once on this worker. */
  concurrency: number;
  /** Lease renewal (and cancellation check) interval; well under the queue's lease length. */
  heartbeatMs: number;
  /** How often an idle worker asks for work. */
  pollMs: number;
}

interface Running {
  lease: Lease;
  controller: AbortController;
  /** Why it was stopped: the job was cancelled (a DELETE) or this worker is shutting down. */
  stop?: 'cancelled' | 'shutdown';
  done: Promise<void>;
}

/**
 * A build worker: takes jobs it has the capability for, at most `concurrency` at once, builds the
 * image with the same build steps as the daemon, and reports every transition in the shared store
 * (so the API shows progress and logs while it runs). Heartbeats renew the lease and carry
 * cancellation back: a cancelled job's processes are killed through its AbortSignal. Transient
 * failures go back to the queue for a retry with backoff; others fail the image.
 */
export class JobWorker {
  private readonly running = new Map<string, Running>();
  private stopping = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private beat: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();

  constructor(private readonly queue: JobQueue, private readonly registry: WorkerRegistry, private readonly deps: BuildDeps, private readonly opts: JobWorkerOptions) {}

  async start(): Promise<void> {
    const { id, hostname, pid, capabilities, concurrency } = this.opts;
    await this.registry.register({ id, hostname, pid, capabilities, concurrency, currentJobs: [] });
    this.beat = setInterval(() => { void this.heartbeat(); }, this.opts.heartbeatMs);
    this.loop = this.pull();
  }

  /** Jobs running now (image ids). */
  current(): string[] {
    return [...this.running.keys()];
  }

  /**
   * SIGTERM: take no more jobs; give running ones `graceMs` to finish, then stop them and hand them
   * back to the queue (another worker retries them).
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    if ((await Promise.race([all, timer])) === 'timeout') {
      for (const r of this.running.values()) { r.stop = 'shutdown'; r.controller.abort(); }
      await all;
    }
    clearInterval(this.beat);
    await this.registry.unregister(this.opts.id).catch(() => undefined);
  }

  private async pull(): Promise<void> {
    while (!this.stopping) {
      let lease: Lease | null = null;
      if (this.running.size < this.opts.concurrency) {
        try {
          lease = await this.queue.claim(this.opts.capabilities);
        } catch (e) {
          this.deps.logger.warn({ err: e }, 'claiming a job failed; trying again');
        }
      }
      if (lease) { this.begin(lease); continue; }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.opts.pollMs);
        this.wake = () => { clearTimeout(t); resolve(); };
      });
    }
  }

  private begin(lease: Lease): void {
    const controller = new AbortController();
    const entry: Running = { lease, controller, done: Promise.resolve() };
    const imageId = String(lease.payload.imageId);
    entry.done = this.run(entry, imageId)
      .catch((e) => this.deps.logger.error({ err: e, imageId }, 'job bookkeeping failed'))
      .finally(() => { this.running.delete(imageId); this.wake?.(); void this.heartbeat(); });
    this.running.set(imageId, entry);
    void this.heartbeat();
  }

  /** One at a time, so an older registry write can never land after a newer one. */
  private heartbeat(): Promise<void> {
    this.beating = this.beating.then(() => this.beatOnce());
    return this.beating;
  }

  /** Renews every lease (a cancelled or lost one stops its build) and tells the registry what runs. */
  private async beatOnce(): Promise<void> {
    for (const r of this.running.values()) {
      try {
        const { cancelled } = await this.queue.heartbeat(r.lease.token);
        if (cancelled && !r.stop) { r.stop = 'cancelled'; r.controller.abort(); }
      } catch (e) {
        this.deps.logger.warn({ err: e, jobId: r.lease.jobId }, 'lease heartbeat failed');
      }
    }
    await this.registry.heartbeat(this.opts.id, this.current()).catch((e) => this.deps.logger.warn({ err: e }, 'worker heartbeat failed'));
    // Object stores: the build log so far, for the API on other machines.
    for (const id of this.current()) await this.deps.artifacts.publish?.(id).catch((e) => this.deps.logger.warn({ err: e, imageId: id }, 'publishing the build log failed'));
  }

  private async run(entry: Running, imageId: string): Promise<void> {
    const { store, status, artifacts } = this.deps;
    const { lease, controller } = entry;
    const image = await store.get(imageId);
    if (!image || TERMINAL_STATUSES.has(image.status) || image.status === 'DELETING') {
      await this.queue.complete(lease.token).catch(() => undefined); // nothing left to build
      return;
    }
    const log = await BuildLog.open(artifacts.artifactPath(image.id, 'build.log'));
    let closed: Promise<void> | undefined;
    const closeLog = () => (closed ??= log.close());
    const retried = lease.attempt > 1 ? ` (attempt ${lease.attempt} of ${lease.maxAttempts}, retried after: ${lease.previousError ?? 'an earlier failure'})` : '';
    let keepScratch = false;
    const reporter = progressReporter(status, image.id, log);
    try {
      await this.checkParent(image);
      const started = `Build started on worker ${this.opts.id}${retried}`;
      const current = await status.transition(image.id, 'BUILDING', { activity: started }, { percentComplete: 0 });
      if (!current) return;
      log.line(`${started}: ${lease.kind} of ${image.kind} ${image.id}`);
      // A retried build says so in every progress activity, so the image shows why it ran again.
      const progress: ProgressSink = (p, a) => reporter.sink(p, `${a}${retried}`);
      const patch = image.kind === 'base_image'
        ? await runBaseImageBuild(this.deps, current, controller.signal, log, progress)
        : image.kind === 'target_image'
          ? await runTargetImageBuild(this.deps, current, controller.signal, log, progress)
          : await runProviderImageBuild(this.deps, current, undefined, controller.signal, log, progress);
      await reporter.flush();
      if (controller.signal.aborted) throw new AppError('BUILD_CANCELLED');
      // The log is complete and published before the image is: whoever sees COMPLETE can read it all.
      log.line(`Build complete on worker ${this.opts.id}`);
      await closeLog();
      await artifacts.publish?.(image.id);
      // The image before the job: a worker dying in between leaves a job whose next run finds it COMPLETE.
      await status.complete(current, patch);
      await this.queue.complete(lease.token).catch((e) => this.deps.logger.warn({ err: e, imageId }, 'the job ended while its lease was lost'));
    } catch (e) {
      // A late progress write must not land after (and overwrite the activity of) FAILED.
      await reporter.flush();
      keepScratch = await this.recordFailure(entry, image, e, log);
    } finally {
      if (!keepScratch) await artifacts.removeScratch(image.id).catch(() => undefined);
      await closeLog();
      await artifacts.publish?.(image.id).catch((e) => this.deps.logger.warn({ err: e, imageId }, 'publishing the build log failed'));
    }
  }

  /** The dependency has ended (the queue saw to that); only a COMPLETE parent lets the build go on. */
  private async checkParent(image: ImageRecord): Promise<void> {
    const parentId = image.kind === 'target_image' ? image.baseImageId : image.kind === 'provider_image' ? image.targetImageId : null;
    if (!parentId) return;
    const parent = await this.deps.store.get(parentId);
    if (parent?.status === 'COMPLETE') {
      // exists() also fetches the parent's body from an object store into this machine's working copy.
      if (await this.deps.artifacts.exists(this.deps.artifacts.bodyPath(parentId))) return;
      throw new AppError('JOB_DEPENDENCY_FAILED', `The body of ${parent.kind === 'target_image' ? 'TargetImage' : 'BaseImage'} ${parentId} is missing from the artifact store.`);
    }
    const parentClass = parent?.kind === 'target_image' ? 'TargetImage' : 'BaseImage';
    const childClass = image.kind === 'provider_image' ? 'ProviderImage' : 'TargetImage';
    throw new AppError('JOB_DEPENDENCY_FAILED', `The ${parentClass} (${parentId}) for our ${childClass} has failed its build.  Cannot continue.`);
  }

  /** Returns whether the scratch directory must stay (the job goes back to the queue and needs it, e.g. an upload). */
  private async recordFailure(entry: Running, image: ImageRecord, e: unknown, log: BuildLog): Promise<boolean> {
    const { status } = this.deps;
    if (entry.stop === 'cancelled') {
      log.line(`Build stopped on worker ${this.opts.id}: the job was cancelled or its lease was taken over`);
      return false;
    }
    if (entry.stop === 'shutdown') {
      const message = `worker ${this.opts.id} was stopped while building (attempt ${entry.lease.attempt})`;
      log.line(`Build handed back: ${message}`);
      const { retrying } = await this.queue.fail(entry.lease.token, { message, transient: true }).catch(() => ({ retrying: true }));
      if (retrying) await status.transition(image.id, 'PENDING', { activity: `Handed back to the queue: ${message}` });
      else await this.failImage(image, message);
      return retrying;
    }
    const transient = isAppError(e) && e.category === 'transient';
    let message: string;
    if (isAppError(e) && e.category !== 'internal') {
      message = e.message;
    } else {
      this.deps.logger.error({ err: e, imageId: image.id }, 'build failed with an internal error');
      message = `Internal error while building (see the log of worker ${this.opts.id} for image ${image.id})`;
    }
    log.line(`Build failed on worker ${this.opts.id}: ${message}`);
    let retrying = false;
    try {
      ({ retrying } = await this.queue.fail(entry.lease.token, { message, transient }));
    } catch (lost) {
      if (isAppError(lost) && lost.code === 'JOB_LEASE_LOST') return true; // another worker owns it now
      throw lost;
    }
    if (retrying) await status.transition(image.id, 'PENDING', { activity: `Attempt ${entry.lease.attempt} failed (${message}); it will be retried` });
    else await this.failImage(image, message);
    return retrying;
  }

  private async failImage(image: ImageRecord, message: string): Promise<void> {
    const current = await this.deps.store.get(image.id);
    if (current && !TERMINAL_STATUSES.has(current.status) && current.status !== 'DELETING') await this.deps.status.fail(current, message);
  }
}
