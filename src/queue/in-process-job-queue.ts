import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { TERMINAL_JOB_STATES, type JobInfo, type JobQueue, type JobSpec, type JobState, type Lease } from '../core/ports/job-queue.js';

export interface QueuePolicy {
  /** A lease not renewed by a heartbeat within this time expires and the job is taken again. */
  leaseSeconds: number;
  /** First retry delay; doubled for every further attempt. */
  retryDelaySeconds: number;
}

interface Job extends JobInfo {
  spec: JobSpec;
  seq: number;
  token: string | null;
  leaseUntil: number;
  runAfter: number;
}

/** The job queue of one process, in memory: the embedded daemon's, where builds live and die with it. */
export class InProcessJobQueue implements JobQueue {
  private readonly jobs = new Map<string, Job>();
  private seq = 0;

  constructor(private readonly policy: QueuePolicy, private readonly now: () => number = Date.now) {}

  async enqueue(spec: JobSpec): Promise<string> {
    if (this.jobs.has(spec.id)) return spec.id;
    const maxAttempts = spec.maxAttempts ?? 3;
    this.jobs.set(spec.id, {
      id: spec.id, kind: spec.kind, requires: spec.requires, state: 'queued', attempt: 0, maxAttempts, error: null,
      spec, seq: this.seq++, token: null, leaseUntil: 0, runAfter: 0,
    });
    return spec.id;
  }

  async claim(capabilities: readonly string[]): Promise<Lease | null> {
    this.expireLeases();
    const now = this.now();
    const candidates = [...this.jobs.values()]
      .filter((j) => (j.state === 'queued' || j.state === 'retry') && j.runAfter <= now && capabilities.includes(j.requires) && this.dependenciesEnded(j))
      .sort((a, b) => (b.spec.priority ?? 0) - (a.spec.priority ?? 0) || a.seq - b.seq);
    const job = candidates[0];
    if (!job) return null;
    job.state = 'active';
    job.attempt += 1;
    job.token = randomUUID();
    job.leaseUntil = now + this.policy.leaseSeconds * 1000;
    return {
      jobId: job.id, token: job.token, kind: job.kind, requires: job.requires, payload: job.spec.payload,
      attempt: job.attempt, maxAttempts: job.maxAttempts, previousError: job.attempt > 1 ? job.error : null,
    };
  }

  async heartbeat(token: string): Promise<{ cancelled: boolean }> {
    this.expireLeases();
    const job = this.byToken(token);
    if (!job) return { cancelled: true };
    job.leaseUntil = this.now() + this.policy.leaseSeconds * 1000;
    return { cancelled: false };
  }

  async complete(token: string): Promise<void> {
    const job = this.held(token);
    job.state = 'completed';
    job.token = null;
  }

  async fail(token: string, error: { message: string; transient: boolean }): Promise<{ retrying: boolean }> {
    const job = this.held(token);
    job.error = error.message;
    job.token = null;
    const retrying = error.transient && job.attempt < job.maxAttempts;
    this.settle(job, retrying);
    return { retrying };
  }

  async cancel(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job || TERMINAL_JOB_STATES.has(job.state)) return;
    job.state = 'cancelled';
    job.token = null;
  }

  async get(jobId: string): Promise<JobInfo | undefined> {
    this.expireLeases();
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    const state: JobState = job.state === 'queued' && !this.dependenciesEnded(job) ? 'waiting' : job.state;
    return { id: job.id, kind: job.kind, requires: job.requires, state, attempt: job.attempt, maxAttempts: job.maxAttempts, error: job.error };
  }

  async depth(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const j of this.jobs.values()) {
      if ((j.state === 'queued' || j.state === 'retry') && this.dependenciesEnded(j)) out[j.requires] = (out[j.requires] ?? 0) + 1;
    }
    return out;
  }

  private settle(job: Job, retrying: boolean): void {
    if (retrying) {
      job.state = 'retry';
      job.runAfter = this.now() + this.policy.retryDelaySeconds * 1000 * 2 ** (job.attempt - 1);
    } else {
      job.state = 'failed';
    }
  }

  private expireLeases(): void {
    const now = this.now();
    for (const job of this.jobs.values()) {
      if (job.state !== 'active' || job.leaseUntil > now) continue;
      job.error = `the lease expired: its worker sent no heartbeat for ${this.policy.leaseSeconds} s (stopped or killed)`;
      job.token = null;
      this.settle(job, job.attempt < job.maxAttempts);
    }
  }

  private dependenciesEnded(job: Job): boolean {
    return (job.spec.dependsOn ?? []).every((id) => {
      const dep = this.jobs.get(id);
      return !dep || TERMINAL_JOB_STATES.has(dep.state);
    });
  }

  private byToken(token: string): Job | undefined {
    for (const job of this.jobs.values()) if (job.token === token && job.state === 'active') return job;
    return undefined;
  }

  private held(token: string): Job {
    this.expireLeases();
    const job = this.byToken(token);
    if (!job) throw new AppError('JOB_LEASE_LOST');
    return job;
  }
}
