/**
 * Queue mode on this machine: build throughput with 1, 2 and 4 worker processes (ratio to one worker),
 * the queue overhead from POST to a worker starting the build (p50/p99), and API GET latency with the
 * PostgreSQL store against the embedded SQLite store, all in one run on a private PostgreSQL 15.
 * Light jobs (MockOS base builds: a tar and a small sparse disk), because the machine has 2 cores.
 *
 *   node --import tsx bench/queue-bench.ts [--jobs 24] [--seconds 8]
 */
import autocannon from 'autocannon';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newImageRecord } from '../src/core/images/new-image-record.js';
import { mockOsPlugin } from '../test/doubles/mock-os-plugin.js';
import { startPostgres } from '../test/helpers/postgres-server.js';
import { mockTemplate, startTestDaemon, waitForStatus, type TestDaemon } from '../test/helpers/test-daemon.js';
import { startWorkerProcess, type WorkerProcess } from '../test/helpers/worker-process.js';

const arg = (name: string, dflt: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) || dflt;
const JOBS = arg('jobs', 24);
const SECONDS = arg('seconds', 8);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function post(d: TestDaemon): Promise<string> {
  const res = await fetch(`${d.url}/imagefactory/base_images`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ base_image: { template: mockTemplate(), parameters: { build_cache: false } } }),
  });
  return ((await res.json()) as { base_image: { id: string } }).base_image.id;
}

/** When the worker started the build: the first line of its build log. */
async function startedAt(d: TestDaemon, id: string): Promise<number> {
  const log = await (await fetch(`${d.url}/imagefactory/base_images/${id}/log`)).text();
  const m = /^(\S+) Build started on worker/m.exec(log);
  if (!m) throw new Error(`no start line in the log of ${id}`);
  return Date.parse(m[1]);
}

async function getLatency(url: string): Promise<{ rps: number; p50: number; p99: number }> {
  await autocannon({ url, connections: 10, duration: 2 });
  const r = await autocannon({ url, connections: 10, duration: SECONDS });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

async function main() {
  const pg = await startPostgres();
  const root = await mkdtemp(join(tmpdir(), 'if-qbench-'));
  const out: string[] = [];
  try {
    // 1. GET latency, PostgreSQL vs SQLite, 10,000 images each.
    const gets: Record<string, { one: Awaited<ReturnType<typeof getLatency>>; list: Awaited<ReturnType<typeof getLatency>> }> = {};
    for (const [name, flags] of [['SQLite', {}], ['PostgreSQL', { database_url: await pg.createDatabase('bench_get') }]] as const) {
      const d = await startTestDaemon({ dataDir: await mkdtemp(join(root, 'get-')), plugins: { os: [mockOsPlugin], cloud: [] }, flags });
      const records = Array.from({ length: 10_000 }, () => ({ ...newImageRecord('base_image', { template: mockTemplate('bench') }), status: 'COMPLETE' as const }));
      for (let i = 0; i < records.length; i += 1000) await d.container.store.insertMany(records.slice(i, i + 1000));
      gets[name] = { one: await getLatency(`${d.url}/imagefactory/base_images/${records[5000].id}`), list: await getLatency(`${d.url}/imagefactory/base_images`) };
      await d.stop();
    }
    for (const what of ['one', 'list'] as const) {
      const [s, p] = [gets.SQLite[what], gets.PostgreSQL[what]];
      out.push(`GET ${what === 'one' ? 'one image' : 'list of 10,000'}: SQLite ${s.rps.toFixed(0)} req/s p50 ${s.p50} ms p99 ${s.p99} ms; PostgreSQL ${p.rps.toFixed(0)} req/s p50 ${p.p50} ms p99 ${p.p99} ms; throughput ratio PG/SQLite ${(p.rps / s.rps).toFixed(2)}`);
    }

    // 2. Throughput with 1, 2, 4 workers; 3. POST-to-start latency (one job at a time, idle workers).
    const perMinute: Record<number, number> = {};
    for (const n of [1, 2, 4]) {
      const dbUrl = await pg.createDatabase(`bench_q${n}`);
      const dataDir = await mkdtemp(join(root, `q${n}-`));
      const d = await startTestDaemon({ dataDir, plugins: { os: [mockOsPlugin], cloud: [] }, flags: { database_url: dbUrl, build_mode: 'queue' } });
      await writeFile(join(dataDir, 'worker.conf'), '{}');
      const workers: WorkerProcess[] = [];
      for (let i = 0; i < n; i++) {
        workers.push(await startWorkerProcess(`b${n}-${i}`, {
          IMAGEFACTORY_CONFIG: join(dataDir, 'worker.conf'), IMAGEFACTORY_DATA_DIR: dataDir, IMAGEFACTORY_DATABASE_URL: dbUrl, IMAGEFACTORY_BOOT_TEST: 'false',
        }));
      }
      try {
        // Warm-up (queue creation, first polls, JIT) outside the measurement.
        for (const id of await Promise.all(Array.from({ length: 8 }, () => post(d)))) await waitForStatus(d.url, `/imagefactory/base_images/${id}`, ['COMPLETE'], 600_000);
        const t0 = Date.now();
        const ids = [];
        for (let j = 0; j < JOBS; j++) ids.push(await post(d));
        for (const id of ids) await waitForStatus(d.url, `/imagefactory/base_images/${id}`, ['COMPLETE'], 600_000);
        perMinute[n] = JOBS / ((Date.now() - t0) / 60_000);
        out.push(`${n} worker(s): ${JOBS} builds in ${((Date.now() - t0) / 1000).toFixed(1)} s = ${perMinute[n].toFixed(1)} builds/min, ratio to 1 worker ${(perMinute[n] / perMinute[1]).toFixed(2)}`);
        if (n === 4) {
          const lat: number[] = [];
          for (let j = 0; j < 30; j++) {
            const before = Date.now();
            const id = await post(d);
            await waitForStatus(d.url, `/imagefactory/base_images/${id}`, ['COMPLETE'], 60_000);
            lat.push((await startedAt(d, id)) - before);
          }
          out.push(`POST to build start (4 idle workers, 30 jobs): p50 ${pct(lat, 50)} ms, p99 ${pct(lat, 99)} ms`);
        }
      } finally {
        for (const w of workers) await w.stop('SIGTERM');
        await d.stop();
      }
    }
  } finally {
    await pg.stop();
    await rm(root, { recursive: true, force: true });
  }
  console.log(out.join('\n'));
}

await main();
