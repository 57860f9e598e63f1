import PgBoss from 'pg-boss';
import pg from 'pg';
import { TERMINAL_JOB_STATES, type JobInfo, type JobQueue, type JobSpec, type JobState, type Lease } from '../core/ports/job-queue.js';
import { AppError } from '../domain/errors.js';
import { redactUrl } from '../domain/redact-url.js';
import type { QueuePolicy } from './in-process-job-queue.js';

/** pg-boss's own schema, and ours for jobs waiting on dependencies (pg-boss 10 has no dependencies). */
const BOSS = 'pgboss';
const OURS = 'imagefactory_queue';
/** Serialises "enqueue or hold" against "release the holds", so no dependent is ever left behind. */
const HOLD_LOCK = 7_301_955_421;
const QUEUE_CREATION_LOCK = 7_301_955_422;

interface Token { queue: string; id: string; retryCount: number }

export interface PgBossQueueOptions {
  connectionString: string;
  policy: QueuePolicy;
  /** Run pg-boss maintenance here (expiring leases, archiving); any number of processes may. */
  supervise: boolean;
}

/**
 * The job queue in PostgreSQL, on pg-boss 10: one pg-boss queue per required capability (a worker
 * fetches only from the queues of what it has), priorities, retries with exponential backoff, and
 * leases as pg-boss expiry that heartbeats renew. Dependencies are ours: a job whose dependencies have
 * not ended waits in imagefactory_queue.holds and is sent to pg-boss when they have.
 */
export class PgBossJobQueue implements JobQueue {
  private readonly queues = new Set<string>();
  private sweeper: NodeJS.Timeout | undefined;

  private constructor(private readonly pool: pg.Pool, private readonly boss: PgBoss, private readonly policy: QueuePolicy) {}

  static async open(opts: PgBossQueueOptions): Promise<PgBossJobQueue> {
    const maintenance = Math.max(1, Math.min(30, Math.floor(opts.policy.leaseSeconds / 2)));
    const boss = new PgBoss({
      connectionString: opts.connectionString, schema: BOSS, max: 3, supervise: opts.supervise, schedule: false,
      maintenanceIntervalSeconds: maintenance, application_name: 'imagefactory-queue',
    });
    boss.on('error', () => undefined); // maintenance errors (database away) are retried by pg-boss itself
    const pool = new pg.Pool({ connectionString: opts.connectionString, max: 3 });
    pool.on('error', () => undefined);
    try {
      await boss.start();
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${OURS}`);
      await pool.query(`CREATE TABLE IF NOT EXISTS ${OURS}.holds (id uuid PRIMARY KEY, spec jsonb NOT NULL,
        depends_on uuid[] NOT NULL, state text NOT NULL DEFAULT 'waiting', created_on timestamptz NOT NULL DEFAULT now())`);
    } catch (e) {
      await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
      await pool.end().catch(() => undefined);
      throw new AppError('STORE_UNAVAILABLE', `job queue database ${redactUrl(opts.connectionString)}: ${(e as Error).message}`);
    }
    const queue = new PgBossJobQueue(pool, boss, opts.policy);
    // Dependencies that ended without passing through this API (a lease expiring past the last attempt).
    queue.sweeper = setInterval(() => { void queue.releaseHolds().catch(() => undefined); }, maintenance * 1000);
    queue.sweeper.unref();
    return queue;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.boss.stop({ graceful: false, wait: true, timeout: 2000 }).catch(() => undefined);
    await this.pool.end();
  }

  async enqueue(spec: JobSpec): Promise<string> {
    await this.ensureQueue(spec.requires);
    await this.locked(async (client) => {
      if (await this.find(client, spec.id)) return;
      const deps = spec.dependsOn ?? [];
      if (deps.length && !(await this.ended(client, deps))) {
        await client.query(`INSERT INTO ${OURS}.holds (id, spec, depends_on) VALUES ($1, $2, $3)`, [spec.id, JSON.stringify(spec), deps]);
      } else {
        await this.send(client, spec);
      }
    });
    return spec.id;
  }

  async claim(capabilities: readonly string[]): Promise<Lease | null> {
    const names = capabilities.map(queueName);
    // The best ready job over all of this worker's queues decides which queue to fetch from.
    const { rows } = await this.pool.query(`SELECT name FROM ${BOSS}.job WHERE name = ANY($1) AND state < 'active' AND start_after < now()
      ORDER BY priority DESC, created_on, id LIMIT 1`, [names]);
    if (!rows.length) return null;
    const [job] = await this.boss.fetch<JobSpec['payload'] & { requires: string; kind: string }>(rows[0].name, { includeMetadata: true });
    if (!job) return null;
    const output = job.output as { message?: string; value?: { message?: string } } | null;
    const attempt = job.retryCount + 1;
    const data = job.data as { kind: string; requires: string; payload: Record<string, unknown> };
    return {
      jobId: job.id, token: encodeToken({ queue: job.name, id: job.id, retryCount: job.retryCount }),
      kind: data.kind, requires: data.requires, payload: data.payload, attempt, maxAttempts: job.retryLimit + 1,
      previousError: attempt > 1 ? describeOutput(output) : null,
    };
  }

  async heartbeat(token: string): Promise<{ cancelled: boolean }> {
    const t = decodeToken(token);
    // pg-boss expires an active job at started_on + expire_in: renewing the lease moves started_on.
    const { rowCount } = await this.pool.query(`UPDATE ${BOSS}.job SET started_on = now()
      WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3`, [t.queue, t.id, t.retryCount]);
    return { cancelled: rowCount === 0 };
  }

  async complete(token: string): Promise<void> {
    const t = decodeToken(token);
    await this.held(t, (client) => this.boss.complete(t.queue, t.id, {}, { db: adapter(client) }).then(() => undefined));
    await this.releaseHolds();
  }

  async fail(token: string, error: { message: string; transient: boolean }): Promise<{ retrying: boolean }> {
    const t = decodeToken(token);
    const retrying = await this.held(t, async (client, row) => {
      // Only transient failures are retried: others use up the attempts left.
      if (!error.transient) await client.query(`UPDATE ${BOSS}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2`, [t.queue, t.id]);
      await this.boss.fail(t.queue, t.id, { message: error.message }, { db: adapter(client) });
      return error.transient && row.retry_count < row.retry_limit;
    });
    if (!retrying) await this.releaseHolds();
    return { retrying };
  }

  async cancel(jobId: string): Promise<void> {
    await this.locked(async (client) => {
      const hold = await client.query(`UPDATE ${OURS}.holds SET state = 'cancelled' WHERE id = $1 AND state = 'waiting'`, [jobId]);
      if (hold.rowCount) return;
      const { rows } = await client.query(`SELECT name FROM ${BOSS}.job WHERE id = $1`, [jobId]);
      if (rows.length) await this.boss.cancel(rows[0].name, jobId, { db: adapter(client) });
    });
    await this.releaseHolds();
  }

  async get(jobId: string): Promise<JobInfo | undefined> {
    const client = await this.pool.connect();
    try {
      return await this.find(client, jobId);
    } finally {
      client.release();
    }
  }

  async depth(): Promise<Record<string, number>> {
    const { rows } = await this.pool.query(`SELECT data->>'requires' AS requires, count(*)::int AS n FROM ${BOSS}.job
      WHERE state < 'active' AND name LIKE 'imagefactory-%' GROUP BY 1`);
    return Object.fromEntries(rows.map((r) => [r.requires, r.n]));
  }

  private async find(client: pg.PoolClient, jobId: string): Promise<JobInfo | undefined> {
    const hold = await client.query(`SELECT spec, state FROM ${OURS}.holds WHERE id = $1`, [jobId]);
    if (hold.rows.length) {
      const spec = hold.rows[0].spec as JobSpec;
      return { id: jobId, kind: spec.kind, requires: spec.requires, state: hold.rows[0].state, attempt: 0, maxAttempts: spec.maxAttempts ?? 3, error: null };
    }
    const { rows } = await client.query(`SELECT state, retry_count, retry_limit, started_on, output, data FROM ${BOSS}.job WHERE id = $1
      UNION ALL SELECT state, retry_count, retry_limit, started_on, output, data FROM ${BOSS}.archive WHERE id = $1 LIMIT 1`, [jobId]);
    if (!rows.length) return undefined;
    const r = rows[0];
    const state: JobState = r.state === 'created' ? 'queued' : r.state;
    const error = r.state === 'retry' || r.state === 'failed' ? describeOutput(r.output) : null;
    return { id: jobId, kind: r.data.kind, requires: r.data.requires, state, attempt: r.started_on ? r.retry_count + 1 : 0, maxAttempts: r.retry_limit + 1, error };
  }

  /** Sends every held job whose dependencies have all ended. */
  async releaseHolds(): Promise<void> {
    await this.locked(async (client) => {
      const { rows } = await client.query(`SELECT id, spec, depends_on FROM ${OURS}.holds WHERE state = 'waiting' ORDER BY created_on`);
      for (const row of rows) {
        if (!(await this.ended(client, row.depends_on))) continue;
        await this.send(client, row.spec);
        await client.query(`DELETE FROM ${OURS}.holds WHERE id = $1`, [row.id]);
      }
    });
  }

  /** Whether every one of these jobs has ended (completed, failed, cancelled) or is unknown. */
  private async ended(client: pg.PoolClient, ids: readonly string[]): Promise<boolean> {
    for (const id of ids) {
      const info = await this.find(client, id);
      if (info && !TERMINAL_JOB_STATES.has(info.state)) return false;
    }
    return true;
  }

  private async send(client: pg.PoolClient, spec: JobSpec): Promise<void> {
    await this.ensureQueue(spec.requires);
    await this.boss.send(queueName(spec.requires), { kind: spec.kind, requires: spec.requires, payload: spec.payload }, {
      id: spec.id, priority: spec.priority ?? 0, retryLimit: (spec.maxAttempts ?? 3) - 1,
      retryDelay: this.policy.retryDelaySeconds, retryBackoff: true, expireInSeconds: this.policy.leaseSeconds, db: adapter(client),
    });
  }

  private async ensureQueue(requires: string): Promise<void> {
    const name = queueName(requires);
    if (this.queues.has(name)) return;
    // pg-boss 10 creates a queue as a partition with a foreign key: two creations at once deadlock,
    // so every process takes one advisory lock around it.
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [QUEUE_CREATION_LOCK]);
      if (!(await this.boss.getQueue(name))) await this.boss.createQueue(name, { name, policy: 'standard' });
    });
    this.queues.add(name);
  }

  /** Runs `fn` while this token still holds the job (row locked); otherwise JOB_LEASE_LOST. */
  private async held<T>(t: Token, fn: (client: pg.PoolClient, row: { retry_count: number; retry_limit: number }) => Promise<T>): Promise<T> {
    return this.transaction(async (client) => {
      const { rows } = await client.query(`SELECT retry_count, retry_limit FROM ${BOSS}.job
        WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3 FOR UPDATE`, [t.queue, t.id, t.retryCount]);
      if (!rows.length) throw new AppError('JOB_LEASE_LOST');
      return fn(client, rows[0]);
    });
  }

  private locked<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [HOLD_LOCK]);
      return fn(client);
    });
  }

  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }
}

/** One pg-boss queue per capability: "os:Debian" → imagefactory-os-Debian. */
function queueName(requires: string): string {
  return `imagefactory-${requires.replace(/[^\w-]/g, '-')}`;
}

function adapter(client: pg.PoolClient): PgBoss.Db {
  return { executeSql: (text, values) => client.query(text, values) };
}

function describeOutput(output: { message?: string; value?: { message?: string } } | null): string | null {
  const message = output?.message ?? output?.value?.message ?? null;
  // pg-boss's own words for an expired lease, said for our users.
  if (message === 'job failed by timeout in active state') return 'the lease expired: its worker stopped sending heartbeats (stopped or killed)';
  return message;
}

function encodeToken(t: Token): string {
  return `${t.queue}|${t.id}|${t.retryCount}`;
}

function decodeToken(token: string): Token {
  const [queue, id, retryCount] = token.split('|');
  if (!queue || !id || !/^\d+$/.test(retryCount ?? '')) throw new AppError('JOB_LEASE_LOST', 'The lease token is malformed.');
  return { queue, id, retryCount: Number(retryCount) };
}
