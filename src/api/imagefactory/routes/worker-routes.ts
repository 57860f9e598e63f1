import type { FastifyInstance } from 'fastify';
import type { ImageFactoryApiDeps } from '../api-deps.js';
import { sendDocument } from '../reply.js';

/**
 * GET /imagefactory/workers: the build workers heard from recently (capabilities, current jobs, last
 * heartbeat) and the queue depth per required capability. In build_mode local: no workers, the daemon builds.
 */
export function registerWorkerRoutes(app: FastifyInstance, deps: ImageFactoryApiDeps): void {
  app.get('/imagefactory/workers', { config: { oauth: true } }, async (req, reply) => {
    if (!deps.workers) return sendDocument(req, reply, 200, { build_mode: 'local', workers: [], queue_depth: {} });
    const { workers, depth } = await deps.workers();
    return sendDocument(req, reply, 200, {
      build_mode: 'queue',
      workers: workers.map((w) => ({
        id: w.id, hostname: w.hostname, pid: w.pid, capabilities: w.capabilities, concurrency: w.concurrency,
        current_jobs: w.currentJobs, started: w.startedAt, last_heartbeat: w.lastHeartbeat,
      })),
      queue_depth: depth,
    });
  });
}
