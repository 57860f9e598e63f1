import { AppError, isAppError } from '../../domain/errors.js';
import { TERMINAL_STATUSES, type ImageRecord } from '../../domain/image.js';
import { runBaseImageBuild } from './base-image-build.js';
import { progressReporter } from './progress-reporter.js';
import type { BuildDeps } from './build-deps.js';
import { BuildLog } from './build-log.js';
import { runProviderImageBuild } from './provider-image-build.js';
import type { BuildScheduler } from '../ports/build-scheduler.js';
import { Semaphore } from './semaphore.js';
import { runTargetImageBuild } from './target-image-build.js';

interface RunningBuild {
  controller: AbortController;
  done: Promise<void>;
}

/** Why a build was stopped, which becomes its FAILED error (or nothing, for a delete). */
type StopReason = { kind: 'delete' } | { kind: 'shutdown'; signal: string };

/**
 * Runs builds: each waits (PENDING) for its parent image and for a free slot, then goes BUILDING →
 * COMPLETE | FAILED, persisting every transition. At most `maxConcurrentBuilds` base/target builds and
 * `maxConcurrentPushes` pushes run at once. The heavy work happens in child processes (the tools), so
 * the daemon stays responsive.
 */
export class BuildEngine implements BuildScheduler {
  private readonly running = new Map<string, RunningBuild>();
  private readonly stopReasons = new Map<string, StopReason>();
  private readonly buildSlots: Semaphore;
  private readonly pushSlots: Semaphore;
  private stopping = false;
  /** Builds holding a slot (BUILDING) — the rest of `running` wait for a parent or a slot. */
  private holdingSlot = 0;

  constructor(private readonly deps: BuildDeps) {
    this.buildSlots = new Semaphore(deps.settings.maxConcurrentBuilds);
    this.pushSlots = new Semaphore(deps.settings.maxConcurrentPushes);
  }

  /** Starts the build of a freshly created image (credentials only for provider images). */
  start(image: ImageRecord, credentials?: unknown): void {
    if (this.stopping) return;
    const controller = new AbortController();
    const done = this.run(image, credentials, controller.signal)
      .catch((e) => this.deps.logger.error({ err: e, imageId: image.id }, 'build bookkeeping failed'))
      .finally(() => { this.running.delete(image.id); this.stopReasons.delete(image.id); });
    this.running.set(image.id, { controller, done });
  }

  /** Builds running now and builds waiting (for a parent image or a free slot), for monitoring. */
  load(): { running: number; queued: number } {
    return { running: this.holdingSlot, queued: this.running.size - this.holdingSlot };
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** Stops a build for a delete and waits until its processes are gone. */
  async cancel(id: string): Promise<void> {
    const build = this.running.get(id);
    if (!build) return;
    this.stopReasons.set(id, { kind: 'delete' });
    build.controller.abort();
    await build.done;
  }

  /** Waits until the image's build (if any) has settled. */
  async settled(id: string): Promise<void> {
    await this.running.get(id)?.done;
  }

  /** SIGTERM: stop every build, each ends FAILED with the reason; then resolve. */
  async shutdown(signal: string): Promise<void> {
    this.stopping = true;
    for (const [id, build] of this.running) {
      this.stopReasons.set(id, { kind: 'shutdown', signal });
      build.controller.abort();
    }
    await Promise.all([...this.running.values()].map((b) => b.done));
  }

  private async run(image: ImageRecord, credentials: unknown, signal: AbortSignal): Promise<void> {
    const { status, artifacts } = this.deps;
    const log = await BuildLog.open(artifacts.artifactPath(image.id, 'build.log'));
    const queuedAt = process.hrtime.bigint();
    try {
      await this.waitForParent(image, signal);
      const slots = image.kind === 'provider_image' ? this.pushSlots : this.buildSlots;
      if (slots.full) {
        await status.transition(image.id, 'PENDING', { activity: 'Waiting for a free build slot' });
      }
      const release = await slots.acquire(signal);
      this.holdingSlot++;
      this.deps.metrics?.stepFinished(image.kind, 'queue', Number(process.hrtime.bigint() - queuedAt) / 1e9);
      let reporter: ReturnType<typeof progressReporter> | undefined;
      try {
        const current = await status.transition(image.id, 'BUILDING', { activity: 'Build started' }, { percentComplete: 0 });
        if (!current) return;
        reporter = progressReporter(status, image.id, log);
        const progress = reporter.sink;
        log.line(`Build of ${image.kind} ${image.id} started`);
        const patch = image.kind === 'base_image'
          ? await runBaseImageBuild(this.deps, current, signal, log, progress)
          : image.kind === 'target_image'
            ? await runTargetImageBuild(this.deps, current, signal, log, progress)
            : await runProviderImageBuild(this.deps, current, credentials, signal, log, progress);
        await reporter.flush();
        if (signal.aborted) throw new AppError('BUILD_CANCELLED');
        await status.complete(current, patch);
        log.line('Build complete');
      } finally {
        this.holdingSlot--;
        release();
        // A late progress write must not land after (and overwrite the activity of) FAILED.
        await reporter?.flush();
      }
    } catch (e) {
      await this.recordFailure(image, e, log);
    } finally {
      await artifacts.removeScratch(image.id).catch(() => undefined);
      await log.close();
    }
  }

  /** A target waits for its base (or OVA source), a provider image for its target image. */
  private async waitForParent(image: ImageRecord, signal: AbortSignal): Promise<void> {
    const parentId = image.kind === 'target_image' ? image.baseImageId : image.kind === 'provider_image' ? image.targetImageId : null;
    if (!parentId) return;
    let parent = await this.deps.store.get(parentId);
    if (parent && !TERMINAL_STATUSES.has(parent.status)) {
      const waiting = `Waiting for ${parent.kind === 'base_image' ? 'base' : 'target'} image ${parentId}`;
      // A parent that is itself waiting shows its own reason (no nested "0%").
      const activityOf = (p: ImageRecord) => `${waiting}: ${p.statusDetail?.activity || p.status}${p.status === 'PENDING' ? '' : ` ${Math.floor(p.percentComplete ?? 0)}%`}`;
      let shown = activityOf(parent);
      await this.deps.status.transition(image.id, 'PENDING', { activity: shown });
      // Show the parent's progress in this image's activity while it waits (writes chained, in order).
      let chain: Promise<unknown> = Promise.resolve();
      const unsubscribe = this.deps.status.subscribe(({ image: changed }) => {
        if (changed.id !== parentId || TERMINAL_STATUSES.has(changed.status)) return;
        const next = activityOf(changed);
        if (next === shown) return;
        shown = next;
        chain = chain.then(() => this.deps.status.progress(image.id, 0, next)).catch(() => undefined);
      });
      try {
        await Promise.race([this.settled(parentId), aborted(signal)]);
      } finally {
        unsubscribe();
        await chain;
      }
      parent = await this.deps.store.get(parentId);
    }
    if (parent?.status === 'COMPLETE') return;
    const parentClass = parent?.kind === 'target_image' ? 'TargetImage' : 'BaseImage';
    const childClass = image.kind === 'provider_image' ? 'ProviderImage' : 'TargetImage';
    throw new AppError('JOB_DEPENDENCY_FAILED', `The ${parentClass} (${parentId}) for our ${childClass} has failed its build.  Cannot continue.`);
  }

  private async recordFailure(image: ImageRecord, e: unknown, log: BuildLog): Promise<void> {
    const reason = this.stopReasons.get(image.id);
    if (reason?.kind === 'delete') {
      log.line('Build cancelled: the image is being deleted');
      return; // the delete owns the image's fate from here
    }
    let message: string;
    if (reason?.kind === 'shutdown') {
      message = `imagefactoryd was stopped (${reason.signal}) while this image was building`;
    } else if (isAppError(e) && e.category !== 'internal') {
      message = e.message;
    } else {
      this.deps.logger.error({ err: e, imageId: image.id }, 'build failed with an internal error');
      message = `Internal error while building (see the daemon log for image ${image.id})`;
    }
    log.line(`Build failed: ${message}`);
    const current = await this.deps.store.get(image.id);
    if (current && !TERMINAL_STATUSES.has(current.status) && current.status !== 'DELETING') await this.deps.status.fail(current, message);
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(new AppError('BUILD_CANCELLED'));
    signal.addEventListener('abort', () => reject(new AppError('BUILD_CANCELLED')), { once: true });
  });
}
