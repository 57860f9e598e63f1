import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { builtinPlugins } from '../../src/main/builtin-plugins.js';
import { runTool } from '../../src/platform/exec.js';
import { mockCloudPlugin, mockProvider } from '../doubles/mock-cloud-plugin.js';
import { mockOsPlugin } from '../doubles/mock-os-plugin.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { mockTemplate, startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

/**
 * build_mode queue end to end: a real PostgreSQL 15, one daemon (in this process, queue mode) and
 * three worker processes sharing its data directory. Imports and real target conversions (qemu-img,
 * in-image edits) as the job mix; MockOS base builds where a build must be slow (kill, delete, restart).
 * The daemon also knows a `mock` target that no worker has, to show a job nobody can take.
 */
const LEASE = 4;
const builtin = builtinPlugins();
const DAEMON_PLUGINS = { os: [mockOsPlugin, ...builtin.os], cloud: [...builtin.cloud, mockCloudPlugin], providers: [...builtin.providers, mockProvider] };

describe('build_mode queue: one daemon, three workers, one PostgreSQL', () => {
  let pg: PostgresServer;
  let dataDir: string;
  let disks: string;
  let qcow2: string;
  let dbUrl: string;
  let daemon: TestDaemon;
  const workers = new Map<string, WorkerProcess>();
  let workerEnv: Record<string, string>;

  const startDaemon = () => startTestDaemon({
    dataDir, plugins: DAEMON_PLUGINS,
    flags: { database_url: dbUrl, build_mode: 'queue', job_lease_seconds: LEASE, job_retry_delay_seconds: 1, job_max_attempts: 3 },
  });
  const addWorker = async (id: string) => { workers.set(id, await startWorkerProcess(id, workerEnv)); };

  before(async () => {
    pg = await startPostgres();
    dbUrl = await pg.createDatabase('cluster');
    dataDir = await mkdtemp(join(tmpdir(), 'if-cluster-'));
    disks = await mkdtemp(join(tmpdir(), 'if-cluster-disks-'));
    const raw = (await makeSyntheticDisk(disks, { sizeMiB: 16 })).path;
    qcow2 = join(disks, 'disk.qcow2');
    await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
    daemon = await startDaemon();
    workerEnv = {
      IMAGEFACTORY_CONFIG: join(dataDir, 'test.conf'), IMAGEFACTORY_DATA_DIR: dataDir, IMAGEFACTORY_DATABASE_URL: dbUrl,
      IMAGEFACTORY_BOOT_TEST: 'false', IMAGEFACTORY_JOB_LEASE_SECONDS: String(LEASE), IMAGEFACTORY_JOB_RETRY_DELAY_SECONDS: '1',
    };
    for (const id of ['w1', 'w2', 'w3']) await addWorker(id);
  });
  after(async () => {
    for (const w of workers.values()) await w.stop('SIGKILL');
    await daemon?.stop();
    await pg?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(disks, { recursive: true, force: true });
  });

  const api = (path: string, init: RequestInit = {}) => fetch(`${daemon.url}/imagefactory${path}`, init);
  const postJson = (path: string, body: unknown) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  async function importDisk(name: string): Promise<string> {
    const res = await api(`/base_images/import?name=${name}&os_name=Debian&os_version=12&arch=x86_64`, {
      method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: await readFile(qcow2),
    });
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { base_image: { id: string } }).base_image.id;
  }
  async function target(baseId: string, name: string): Promise<string> {
    const res = await postJson('/target_images', { target_image: { base_image_id: baseId, target: name } });
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { target_image: { id: string } }).target_image.id;
  }
  async function mockBase(delayMs: number): Promise<string> {
    const res = await postJson('/base_images', { base_image: { template: mockTemplate(), parameters: { mock_delay_ms: delayMs, build_cache: false } } });
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { base_image: { id: string } }).base_image.id;
  }
  const path = (kind: string, id: string) => `/imagefactory/${kind}/${id}`;
  const log = async (kind: string, id: string) => (await api(`/${kind}/${id}/log`)).text();
  const workersDoc = async () => (await (await api('/workers')).json()) as { workers: { id: string; capabilities: string[]; current_jobs: string[]; last_heartbeat: string }[]; queue_depth: Record<string, number> };

  test('GET /imagefactory/workers lists the workers with their capabilities and heartbeats', async () => {
    const doc = await workersDoc();
    assert.deepEqual(doc.workers.map((w) => w.id).sort(), ['w1', 'w2', 'w3']);
    for (const w of doc.workers) {
      for (const cap of ['import', 'os:MockOS', 'target:openstack-kvm', 'target:ec2']) assert.ok(w.capabilities.includes(cap), `${w.id} has ${cap}`);
      assert.ok(!w.capabilities.includes('target:mock'));
      assert.ok(Date.parse(w.last_heartbeat) > Date.now() - 60_000);
    }
  });

  test('12 builds (4 imports, 8 target conversions) all COMPLETE, spread over the workers', async () => {
    const bases = [];
    for (let i = 0; i < 4; i++) bases.push(await importDisk(`imp-${i}`));
    const targets = [];
    for (const b of bases) for (const t of ['openstack-kvm', 'ec2']) targets.push(await target(b, t));
    const ran = new Set<string>();
    for (const [kind, ids] of [['base_images', bases], ['target_images', targets]] as const) {
      for (const id of ids) {
        const done = await waitForStatus(daemon.url, path(kind, id), ['COMPLETE', 'FAILED'], 120_000);
        assert.equal(done.status, 'COMPLETE', JSON.stringify(done.status_detail));
        const m = /Build started on worker (w\d)/.exec(await log(kind, id));
        assert.ok(m, `the build log of ${id} names its worker`);
        ran.add(m[1]);
      }
    }
    assert.ok(ran.size >= 2, `builds ran on ${[...ran].join(', ')}`);
    // The artifacts are real: the openstack-kvm image is a qcow2 the daemon serves.
    const body = Buffer.from(await (await api(`/target_images/${targets[0]}/raw_image`)).arrayBuffer());
    assert.equal(body.subarray(0, 4).toString('latin1'), 'QFI\xfb');
  });

  test('kill -9 of a worker mid-build: the job is retried on another worker after its lease, and the image says why', async () => {
    const id = await mockBase(8000);
    let holder: string | undefined;
    const deadline = Date.now() + 30_000;
    while (!holder) {
      holder = (await workersDoc()).workers.find((w) => w.current_jobs.includes(id))?.id;
      if (Date.now() > deadline) throw new Error('no worker took the job');
      await new Promise((r) => setTimeout(r, 100));
    }
    await workers.get(holder)!.stop('SIGKILL');
    workers.delete(holder);
    let retriedActivity = '';
    for (const end = Date.now() + 60_000; Date.now() < end;) {
      const image = await waitForStatus(daemon.url, path('base_images', id), ['NEW', 'PENDING', 'BUILDING', 'COMPLETE', 'FAILED']);
      const activity = (image.status_detail as { activity: string }).activity;
      if (/attempt 2 of 3, retried after: the lease expired/.test(activity)) retriedActivity = activity;
      if (image.status === 'COMPLETE' || image.status === 'FAILED') { assert.equal(image.status, 'COMPLETE'); break; }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(retriedActivity, /worker stopped sending heartbeats/);
    const text = await log('base_images', id);
    const starts = [...text.matchAll(/Build started on worker (w\d)/g)].map((m) => m[1]);
    assert.equal(starts[0], holder);
    assert.ok(starts.length >= 2 && starts.at(-1) !== holder, `retried elsewhere: ${starts.join(' → ')}`);
    assert.match(text, /attempt 2 of 3, retried after: the lease expired/);
    await addWorker('w4');
  });

  test('a job no worker can take stays PENDING and says which capability is missing; DELETE cancels it', async () => {
    const base = await importDisk('for-mock');
    const id = await target(base, 'mock');
    let image: Record<string, unknown> = {};
    for (const end = Date.now() + 30_000; Date.now() < end;) {
      image = await waitForStatus(daemon.url, path('target_images', id), ['NEW', 'PENDING']);
      if (/capability "target:mock"/.test((image.status_detail as { activity: string }).activity)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(image.status, 'PENDING');
    assert.match((image.status_detail as { activity: string }).activity, /Waiting for a worker with capability "target:mock": none of the 3 connected worker\(s\) has it/);
    assert.equal((await workersDoc()).queue_depth['target:mock'], 1);

    // Inline credentials would have to be stored for a worker: refused in queue mode.
    const inline = await postJson('/provider_images', { provider_image: { target: 'mock', provider: 'p1', credentials: { token: 'inline-secret' }, target_image_id: id } });
    assert.equal(inline.status, 400);
    assert.match(await inline.text(), /inline credentials are refused in build_mode "queue"/);

    const del = await api(`/target_images/${id}`, { method: 'DELETE' });
    assert.equal(del.status, 204);
    await waitForStatus(daemon.url, path('target_images', id), ['HTTP 404']);
    assert.equal((await workersDoc()).queue_depth['target:mock'] ?? 0, 0);
  });

  test('DELETE of a running build stops it on its worker, which goes on taking jobs', async () => {
    const id = await mockBase(60_000);
    let holder: string | undefined;
    for (const end = Date.now() + 30_000; !holder && Date.now() < end;) {
      holder = (await workersDoc()).workers.find((w) => w.current_jobs.includes(id))?.id;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(holder);
    const del = await api(`/base_images/${id}`, { method: 'DELETE' });
    assert.equal(del.status, 204);
    // The delete runs in the background and removes the record only after the worker has let go.
    await waitForStatus(daemon.url, path('base_images', id), ['HTTP 404'], 30_000);
    assert.ok(!(await workersDoc()).workers.find((w) => w.id === holder)?.current_jobs.includes(id), 'the worker let go before the record was removed');
    const next = await importDisk('after-delete');
    assert.equal((await waitForStatus(daemon.url, path('base_images', next), ['COMPLETE', 'FAILED'], 60_000)).status, 'COMPLETE');
  });

  test('restarting the daemon while jobs are queued and running: nothing fails, everything completes', async () => {
    const slow = [await mockBase(3000), await mockBase(3000), await mockBase(3000), await mockBase(3000)];
    const base = await importDisk('restart');
    const targets = [await target(base, 'openstack-kvm'), await target(base, 'ec2')];
    await waitForStatus(daemon.url, path('base_images', slow[0]), ['BUILDING']);
    await daemon.stop();
    daemon = await startDaemon();
    for (const id of slow) assert.equal((await waitForStatus(daemon.url, path('base_images', id), ['COMPLETE', 'FAILED'], 120_000)).status, 'COMPLETE');
    for (const id of targets) assert.equal((await waitForStatus(daemon.url, path('target_images', id), ['COMPLETE', 'FAILED'], 120_000)).status, 'COMPLETE');
  });

  test('SIGTERM mid-build: the worker hands its job back (grace 0 here), leaves the registry, and another worker completes it', async () => {
    const id = await mockBase(6000);
    let holder: string | undefined;
    for (const end = Date.now() + 30_000; !holder && Date.now() < end;) {
      holder = (await workersDoc()).workers.find((w) => w.current_jobs.includes(id))?.id;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(holder);
    assert.equal(await workers.get(holder)!.stop('SIGTERM'), 0);
    workers.delete(holder);
    assert.ok(!(await workersDoc()).workers.some((x) => x.id === holder));
    const done = await waitForStatus(daemon.url, path('base_images', id), ['COMPLETE', 'FAILED'], 60_000);
    assert.equal(done.status, 'COMPLETE', JSON.stringify(done.status_detail));
    const text = await log('base_images', id);
    assert.match(text, new RegExp(`Build handed back: worker ${holder} was stopped while building \\(attempt 1\\)`));
    assert.match(text, /attempt 2 of 3, retried after: worker w\d was stopped while building/);
  });
});
