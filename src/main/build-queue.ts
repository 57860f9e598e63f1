import type { Config } from '../config/schema.js';
import type { ImageEvents } from '../core/builds/image-events.js';
import type { StatusWriter } from '../core/builds/status-writer.js';
import { QueuedBuildScheduler } from '../core/jobs/queued-build-scheduler.js';
import type { ImageStore } from '../core/ports/image-store.js';
import type { Logger } from '../core/ports/logger.js';
import type { PluginCatalog } from '../core/ports/plugin-catalog.js';
import type { WorkerInfo } from '../core/ports/worker-registry.js';
import { PgBossJobQueue } from '../queue/pg-boss-job-queue.js';
import { PgWorkerRegistry } from '../queue/pg-worker-registry.js';

export interface BuildQueue {
  scheduler: QueuedBuildScheduler;
  workers: () => Promise<{ workers: WorkerInfo[]; depth: Record<string, number> }>;
  close(): Promise<void>;
}

/** The daemon's side of build_mode queue: the PostgreSQL job queue, the worker registry, the scheduler. */
export async function openBuildQueue(config: Config, deps: { store: ImageStore; status: StatusWriter; events: ImageEvents; plugins: PluginCatalog; logger: Logger; publish?: (imageId: string) => Promise<void> }): Promise<BuildQueue> {
  const policy = { leaseSeconds: config.job_lease_seconds, retryDelaySeconds: config.job_retry_delay_seconds };
  const queue = await PgBossJobQueue.open({ connectionString: config.database_url, policy, supervise: true });
  const registry = await PgWorkerRegistry.open(config.database_url).catch(async (e) => { await queue.close(); throw e; });
  // A worker renews every quarter lease: two missed leases and it no longer counts.
  const aliveSeconds = config.job_lease_seconds * 2;
  const scheduler = new QueuedBuildScheduler({ ...deps, queue, workers: registry, watchMs: 1000, workerAliveSeconds: aliveSeconds, maxAttempts: config.job_max_attempts });
  return {
    scheduler,
    workers: async () => ({ workers: await registry.list(aliveSeconds), depth: await queue.depth() }),
    async close() {
      await queue.close();
      await registry.close();
    },
  };
}
