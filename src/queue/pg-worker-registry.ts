import pg from 'pg';
import type { WorkerInfo, WorkerRegistry } from '../core/ports/worker-registry.js';

const TABLE = 'imagefactory_queue.workers';

/** Workers announce themselves in the shared PostgreSQL database (next to the job queue). */
export class PgWorkerRegistry implements WorkerRegistry {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(connectionString: string): Promise<PgWorkerRegistry> {
    const pool = new pg.Pool({ connectionString, max: 2 });
    pool.on('error', () => undefined);
    await pool.query('CREATE SCHEMA IF NOT EXISTS imagefactory_queue');
    await pool.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (id text PRIMARY KEY, hostname text NOT NULL, pid int NOT NULL,
      capabilities jsonb NOT NULL, concurrency int NOT NULL, current_jobs jsonb NOT NULL DEFAULT '[]',
      started_on timestamptz NOT NULL DEFAULT now(), heartbeat_on timestamptz NOT NULL DEFAULT now())`);
    return new PgWorkerRegistry(pool);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async register(w: Omit<WorkerInfo, 'lastHeartbeat' | 'startedAt'>): Promise<void> {
    await this.pool.query(`INSERT INTO ${TABLE} (id, hostname, pid, capabilities, concurrency, current_jobs) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (id) DO UPDATE SET hostname = $2, pid = $3, capabilities = $4, concurrency = $5, current_jobs = $6, started_on = now(), heartbeat_on = now()`,
    [w.id, w.hostname, w.pid, JSON.stringify(w.capabilities), w.concurrency, JSON.stringify(w.currentJobs)]);
  }

  async heartbeat(id: string, currentJobs: readonly string[]): Promise<void> {
    await this.pool.query(`UPDATE ${TABLE} SET heartbeat_on = now(), current_jobs = $2 WHERE id = $1`, [id, JSON.stringify(currentJobs)]);
  }

  async unregister(id: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${TABLE} WHERE id = $1`, [id]);
  }

  async list(aliveSeconds: number): Promise<WorkerInfo[]> {
    const { rows } = await this.pool.query(`SELECT * FROM ${TABLE} WHERE heartbeat_on > now() - make_interval(secs => $1) ORDER BY started_on DESC`, [aliveSeconds]);
    return rows.map((r) => ({
      id: r.id, hostname: r.hostname, pid: r.pid, capabilities: r.capabilities, concurrency: r.concurrency,
      currentJobs: r.current_jobs, startedAt: r.started_on.toISOString(), lastHeartbeat: r.heartbeat_on.toISOString(),
    }));
  }
}
