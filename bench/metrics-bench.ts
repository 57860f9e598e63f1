/**
 * Cost of a Prometheus scrape of /metrics with 100,000 images in the catalog, against two baselines
 * measured in the same run: the same daemon composition holding no images (does the catalog size
 * matter?) and a bare Fastify route sending the very same bytes (what does producing them cost?).
 * Both daemons first get the same traffic (builds and requests), so they export the same series.
 *
 *   node --import tsx bench/metrics-bench.ts [--seconds 10] [--rounds 3] [--images 100000]
 */
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { rm } from 'node:fs/promises';
import { newImageRecord } from '../src/core/images/new-image-record.js';
import { mockTemplate, startTestDaemon, waitForStatus, type TestDaemon } from '../test/helpers/test-daemon.js';

const arg = (name: string, fallback: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const SECONDS = arg('--seconds', 10);
const IMAGES = arg('--images', 100_000);
// Prometheus scrapes one target with one connection; 2 keeps both cores honest.
const CONNECTIONS = 2;
const ROUNDS = arg('--rounds', 3);
const RENDERS = 500;

interface Figures { rps: number; p50: number; p99: number; errors: number; bytes: number }

async function load(url: string, seconds = SECONDS): Promise<Figures> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, bytes: 0 };
}

/** The same traffic on both daemons: a base, a target and a push, and some API reads. */
async function exercise(d: TestDaemon): Promise<void> {
  const post = (path: string, body: unknown) => fetch(`${d.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
  const target = (await post('/imagefactory/target_images', { target_image: { target: 'mock', template: mockTemplate('metrics-bench') } })).target_image;
  await waitForStatus(d.url, `/imagefactory/target_images/${target.id}`, ['COMPLETE']);
  const pushed = (await post('/imagefactory/provider_images', { provider_image: { target: 'mock', provider: 'p', credentials: 'c', target_image_id: target.id } })).provider_image;
  await waitForStatus(d.url, `/imagefactory/provider_images/${pushed.id}`, ['COMPLETE']);
  for (let i = 0; i < 20; i++) await fetch(`${d.url}/imagefactory/base_images/${target.base_image_id}`);
  await d.container.metrics.refreshDiskUsage();
}

async function main() {
  const empty = await startTestDaemon();
  const full = await startTestDaemon();
  try {
    const template = mockTemplate('bench');
    const started = Date.now();
    for (let i = 0; i < IMAGES; i += 1000) {
      const n = Math.min(1000, IMAGES - i);
      await full.container.store.insertMany(Array.from({ length: n }, () => ({ ...newImageRecord('base_image', { template }), status: 'COMPLETE' as const })));
    }
    console.error(`inserted ${IMAGES} images in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await exercise(empty);
    await exercise(full);

    const fullText = await (await fetch(`${full.url}/metrics`)).text();
    const emptyText = await (await fetch(`${empty.url}/metrics`)).text();
    const bare = Fastify({ logger: false });
    const body = Buffer.from(fullText);
    bare.get('/metrics', async (_q, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(body));
    const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

    const runs: [string, string, number][] = [
      [`/metrics, ${IMAGES.toLocaleString('en')} images`, `${full.url}/metrics`, fullText.length],
      ['/metrics, no images (same daemon composition)', `${empty.url}/metrics`, emptyText.length],
      ['bare Fastify route, same bytes', `${bareUrl}/metrics`, body.length],
    ];
    // Rounds with the order rotated, median per row: the machine is shared and its load drifts.
    for (const [, url] of runs) await load(url, 2); // warm-up
    const seen: Figures[][] = runs.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < runs.length; k++) {
        const i = (k + round) % runs.length;
        seen[i].push({ ...(await load(runs[i][1])), bytes: runs[i][2] });
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const rows: [string, Figures][] = runs.map(([name], i) => [name, {
      rps: median(seen[i].map((f) => f.rps)), p50: median(seen[i].map((f) => f.p50)), p99: median(seen[i].map((f) => f.p99)),
      errors: seen[i].reduce((n, f) => n + f.errors, 0), bytes: runs[i][2],
    }]);
    await bare.close();

    // CPU time per render (in process, alternating, many renders): less sensitive than req/s to other
    // work on a shared machine, since time spent descheduled is not counted.
    const cpu = { full: [] as number[], empty: [] as number[] };
    for (let round = 0; round < 5; round++) {
      for (const [name, m] of [['full', full.container.metrics], ['empty', empty.container.metrics]] as const) {
        const before = process.cpuUsage();
        for (let i = 0; i < RENDERS; i++) await m.render();
        const used = process.cpuUsage(before);
        cpu[name].push((used.user + used.system) / RENDERS);
      }
    }
    const cpuFull = Math.min(...cpu.full);
    const cpuEmpty = Math.min(...cpu.empty);

    console.log(`\n/metrics scrape cost, ${CONNECTIONS} connections, ${SECONDS} s per run, median of ${ROUNDS} rounds, node ${process.version}\n`);
    console.log('| scrape | bytes | req/s | p50 / p99 ms | errors |');
    console.log('|---|---|---|---|---|');
    for (const [name, f] of rows) console.log(`| ${name} | ${f.bytes} | ${f.rps.toFixed(0)} | ${f.p50} / ${f.p99} | ${f.errors} |`);
    const [withImages, without, bareRow] = rows.map((r) => r[1]);
    console.log(`\nratio ${IMAGES.toLocaleString('en')} images / no images: ${(withImages.rps / without.rps).toFixed(2)} (1.0 = the catalog size does not matter)`);
    console.log(`ratio ours / bare route: ${(withImages.rps / bareRow.rps).toFixed(2)}`);
    console.log(`\nCPU per render() (best of 5 × ${RENDERS}): ${IMAGES.toLocaleString('en')} images ${cpuFull.toFixed(0)} µs, no images ${cpuEmpty.toFixed(0)} µs, ratio ${(cpuFull / cpuEmpty).toFixed(2)}`);
  } finally {
    for (const d of [empty, full]) { await d.stop(); await rm(d.dataDir, { recursive: true, force: true }); }
  }
}

await main();
