import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { JobQueue, JobSpec, Lease } from '../../src/core/ports/job-queue.js';
import { InProcessJobQueue } from '../../src/queue/in-process-job-queue.js';
import { PgBossJobQueue } from '../../src/queue/pg-boss-job-queue.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';

/**
 * ONE contract, two implementations: the in-process queue and the pg-boss queue on a real
 * PostgreSQL 15. Short leases and retry delays keep waits to seconds; waits poll until a deadline.
 */
const POLICY = { leaseSeconds: 2, retryDelaySeconds: 1 };

interface Subject { name: string; open(): Promise<JobQueue & { close?(): Promise<void> }> }

let server: PostgresServer;
before(async () => { server = await startPostgres(); });
after(async () => { await server?.stop(); });

const SUBJECTS: Subject[] = [
  { name: 'InProcessJobQueue', open: async () => new InProcessJobQueue(POLICY) },
  {
    name: 'PgBossJobQueue (PostgreSQL 15)',
    open: async () => PgBossJobQueue.open({ connectionString: await server.createDatabase(`q_${randomUUID().slice(0, 8)}`), policy: POLICY, supervise: true }),
  },
];

function job(requires: string, extra: Partial<JobSpec> = {}): JobSpec {
  return { id: randomUUID(), kind: 'build-target-image', requires, payload: { imageId: 'x' }, ...extra };
}

async function claimWithin(q: JobQueue, caps: string[], ms = 15_000): Promise<Lease> {
  const deadline = Date.now() + ms;
  for (;;) {
    const lease = await q.claim(caps);
    if (lease) return lease;
    if (Date.now() > deadline) throw new Error(`nothing to claim for ${caps.join(',')} in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const subject of SUBJECTS) {
  describe(subject.name, () => {
    let q: JobQueue & { close?(): Promise<void> };
    before(async () => { q = await subject.open(); });
    after(async () => { await q?.close?.(); });

    test('a job goes only to a worker with its capability; enqueue is idempotent; depth counts it', async () => {
      const spec = job('target:ec2-a');
      assert.equal(await q.enqueue(spec), spec.id);
      assert.equal(await q.enqueue({ ...spec, priority: 9 }), spec.id);
      assert.equal((await q.get(spec.id))?.state, 'queued');
      assert.equal((await q.depth())['target:ec2-a'], 1);
      assert.equal(await q.claim(['os:Debian', 'target:vsphere']), null);
      const lease = await q.claim(['target:ec2-a']);
      assert.ok(lease);
      assert.equal(lease.jobId, spec.id);
      assert.equal(lease.attempt, 1);
      assert.equal(lease.previousError, null);
      assert.deepEqual(lease.payload, { imageId: 'x' });
      assert.equal(await q.claim(['target:ec2-a']), null, 'a leased job is not handed out twice');
      assert.equal((await q.get(spec.id))?.state, 'active');
      assert.deepEqual(await q.heartbeat(lease.token), { cancelled: false });
      await q.complete(lease.token);
      assert.equal((await q.get(spec.id))?.state, 'completed');
      await assert.rejects(q.complete(lease.token), /no longer held/);
    });

    test('higher priority first, then oldest first', async () => {
      const low = job('target:prio');
      const high = job('target:prio', { priority: 5 });
      const low2 = job('target:prio');
      for (const s of [low, high, low2]) await q.enqueue(s);
      const order = [];
      for (let i = 0; i < 3; i++) {
        const l = (await q.claim(['target:prio']))!;
        order.push(l.jobId);
        await q.complete(l.token);
      }
      assert.deepEqual(order, [high.id, low.id, low2.id]);
    });

    test('a dependent waits until its dependency has ended, then runs', async () => {
      const base = job('os:dep');
      const target = job('target:dep', { dependsOn: [base.id] });
      await q.enqueue(base);
      await q.enqueue(target);
      assert.equal((await q.get(target.id))?.state, 'waiting');
      assert.equal(await q.claim(['target:dep']), null);
      assert.equal((await q.depth())['target:dep'] ?? 0, 0, 'a waiting job is not queue depth');
      const lease = (await q.claim(['os:dep']))!;
      await q.complete(lease.token);
      const t = await claimWithin(q, ['target:dep']);
      assert.equal(t.jobId, target.id);
      await q.complete(t.token);
      // A dependency that fails for good releases its dependents too (they report the failure themselves).
      const base2 = job('os:dep');
      const target2 = job('target:dep', { dependsOn: [base2.id] });
      await q.enqueue(base2);
      await q.enqueue(target2);
      await q.fail((await q.claim(['os:dep']))!.token, { message: 'mirror is down', transient: false });
      assert.equal((await q.get(base2.id))?.state, 'failed');
      assert.equal((await claimWithin(q, ['target:dep'])).jobId, target2.id);
    });

    test('transient failures retry with backoff and say why; permanent ones and the last attempt fail', async () => {
      const spec = job('target:retry', { maxAttempts: 2 });
      await q.enqueue(spec);
      const first = (await q.claim(['target:retry']))!;
      assert.deepEqual(await q.fail(first.token, { message: 'connection reset', transient: true }), { retrying: true });
      assert.equal((await q.get(spec.id))?.state, 'retry');
      assert.equal(await q.claim(['target:retry']), null, 'not before the backoff delay');
      const second = await claimWithin(q, ['target:retry']);
      assert.equal(second.attempt, 2);
      assert.equal(second.previousError, 'connection reset');
      assert.deepEqual(await q.fail(second.token, { message: 'connection reset again', transient: true }), { retrying: false });
      const info = await q.get(spec.id);
      assert.equal(info?.state, 'failed');
      assert.equal(info?.error, 'connection reset again');

      const permanent = job('target:retry', { maxAttempts: 3 });
      await q.enqueue(permanent);
      const l = (await q.claim(['target:retry']))!;
      assert.deepEqual(await q.fail(l.token, { message: 'template is invalid', transient: false }), { retrying: false });
      assert.equal((await q.get(permanent.id))?.state, 'failed');
    });

    test('an expired lease (no heartbeats: the worker died) is taken again; the old holder has lost it', async () => {
      const spec = job('target:lease', { maxAttempts: 3 });
      await q.enqueue(spec);
      const dead = (await q.claim(['target:lease']))!;
      const again = await claimWithin(q, ['target:lease'], 30_000);
      assert.equal(again.jobId, spec.id);
      assert.equal(again.attempt, 2);
      assert.match(again.previousError ?? '', /lease expired/);
      assert.deepEqual(await q.heartbeat(dead.token), { cancelled: true });
      await assert.rejects(q.complete(dead.token), /no longer held/);
      await q.complete(again.token);
      assert.equal((await q.get(spec.id))?.state, 'completed');
    });

    test('heartbeats keep a lease beyond its length', async () => {
      const spec = job('target:beat');
      await q.enqueue(spec);
      const lease = (await q.claim(['target:beat']))!;
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 700));
        assert.deepEqual(await q.heartbeat(lease.token), { cancelled: false });
      }
      await q.complete(lease.token);
      assert.equal((await q.get(spec.id))?.attempt, 1);
    });

    test('cancel: a queued job is never handed out; a running one is told at its next heartbeat', async () => {
      const queued = job('target:cancel');
      await q.enqueue(queued);
      await q.cancel(queued.id);
      assert.equal((await q.get(queued.id))?.state, 'cancelled');
      assert.equal(await q.claim(['target:cancel']), null);
      const running = job('target:cancel');
      await q.enqueue(running);
      const lease = (await q.claim(['target:cancel']))!;
      await q.cancel(running.id);
      assert.deepEqual(await q.heartbeat(lease.token), { cancelled: true });
      await assert.rejects(q.complete(lease.token), /no longer held/);
      const base = job('os:cancel');
      const waiting = job('target:cancel', { dependsOn: [base.id] });
      await q.enqueue(base);
      await q.enqueue(waiting);
      await q.cancel(waiting.id);
      assert.equal((await q.get(waiting.id))?.state, 'cancelled');
      await q.complete((await q.claim(['os:cancel']))!.token);
      assert.equal(await q.claim(['target:cancel']), null, 'a cancelled dependent stays cancelled');
      assert.equal(await q.get(randomUUID()), undefined);
    });
  });
}
