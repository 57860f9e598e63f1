/**
 * Build jobs: one per image build, taken by whichever worker has the capability it requires. The
 * in-process queue serves the embedded daemon; the PostgreSQL one (pg-boss) serves `build_mode: queue`
 * with any number of worker processes. test/queue/job-queue-conformance.test.ts holds both to this contract.
 */
export interface JobSpec {
  /** Idempotency: enqueueing an id that exists returns it and changes nothing (we use the image id). */
  id: string;
  /** What the job does, e.g. build-base-image, build-target-image, push-provider-image. */
  kind: string;
  /** The capability a worker must advertise to take it, e.g. "os:Debian", "target:ec2", "import". */
  requires: string;
  payload: Readonly<Record<string, unknown>>;
  /** Jobs that must have ended (completed, failed or cancelled) before this one can be taken. */
  dependsOn?: readonly string[];
  /** Higher first among the jobs one claim can take (default 0). */
  priority?: number;
  /** Attempts in all, including retries after transient failures and expired leases (default 3). */
  maxAttempts?: number;
}

/** A job held by one worker until complete, fail or the lease expires. Workers use the token, not the id. */
export interface Lease {
  jobId: string;
  token: string;
  kind: string;
  requires: string;
  payload: Readonly<Record<string, unknown>>;
  /** 1 for the first run, 2 for the first retry... */
  attempt: number;
  maxAttempts: number;
  /** Why the previous attempt ended (a failure message, or the lease expiring), on retries. */
  previousError: string | null;
}

export type JobState = 'waiting' | 'queued' | 'active' | 'retry' | 'completed' | 'failed' | 'cancelled';

export interface JobInfo {
  id: string;
  kind: string;
  requires: string;
  state: JobState;
  attempt: number;
  maxAttempts: number;
  /** The last failure (or expiry) message. */
  error: string | null;
}

export interface JobQueue {
  enqueue(spec: JobSpec): Promise<string>;
  /** The next job this worker can take (highest priority, oldest first), or null. */
  claim(capabilities: readonly string[]): Promise<Lease | null>;
  /** Extends the lease. `cancelled` = stop now: the job was cancelled, or the lease was lost to expiry. */
  heartbeat(token: string): Promise<{ cancelled: boolean }>;
  /** Throws when the token no longer holds the job (expired and taken again, or cancelled). */
  complete(token: string): Promise<void>;
  /** Transient failures are retried with backoff while attempts remain; returns whether it will be. */
  fail(token: string, error: { message: string; transient: boolean }): Promise<{ retrying: boolean }>;
  /** Cancels a waiting, queued or running job (its worker learns it at the next heartbeat). */
  cancel(jobId: string): Promise<void>;
  get(jobId: string): Promise<JobInfo | undefined>;
  /** Jobs waiting to be taken (queued or retry, not those waiting for a dependency), per required capability. */
  depth(): Promise<Record<string, number>>;
}

export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set(['completed', 'failed', 'cancelled']);
