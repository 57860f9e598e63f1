/**
 * Image Factory API throughput and latency with 10,000 stored images, compared in the same run
 * against a bare Fastify route returning the same JSON bytes (a ratio, because these machines are
 * shared and noisy), then GET one again while two real CPU-bound target builds run.
 *
 *   npm run bench            (or: node --import tsx bench/api-bench.ts [--seconds 10])
 */
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newImageRecord } from '../src/core/images/new-image-record.js';
import { targetPlugins } from '../src/plugins/targets/index.js';
import { mockOsPlugin } from '../test/doubles/mock-os-plugin.js';
import { makeSyntheticDisk } from '../test/helpers/synthetic-disk.js';
import { mockTemplate, startTestDaemon } from '../test/helpers/test-daemon.js';

const SECONDS = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 10;
const IMAGES = 10_000;
const CONNECTIONS = 10;

interface Figures { rps: number; p50: number; p99: number; errors: number }

async function load(url: string, seconds = SECONDS): Promise<Figures> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

/** The baseline: bare Fastify routes sending the very same bytes, precomputed. */
async function bareServer(listText: string, oneText: string) {
  const app = Fastify({ logger: false });
  const listBody = Buffer.from(listText);
  const oneBody = Buffer.from(oneText);
  app.get('/list', async (_q, reply) => reply.type('application/json').send(listBody));
  app.get('/one', async (_q, reply) => reply.type('application/json').send(oneBody));
  return { url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() };
}

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'if-bench-'));
  const daemon = await startTestDaemon({ plugins: { os: [mockOsPlugin], cloud: targetPlugins }, file: { max_concurrent_local_sessions: 2 } });
  try {
    // 10,000 stored base images (inserted directly: the bench measures reads).
    const template = mockTemplate('bench');
    const records = Array.from({ length: IMAGES }, () => ({ ...newImageRecord('base_image', { template }), status: 'COMPLETE' as const }));
    for (let i = 0; i < records.length; i += 1000) await daemon.container.store.insertMany(records.slice(i, i + 1000));
    const one = records[IMAGES / 2].id;
    const listUrl = `${daemon.url}/imagefactory/base_images`;
    const oneUrl = `${daemon.url}/imagefactory/base_images/${one}`;
    const listBody = await (await fetch(listUrl)).text();
    const oneBody = await (await fetch(oneUrl)).text();
    const bare = await bareServer(listBody, oneBody);

    const rows: [string, Figures, Figures][] = [];
    for (const [name, ours, base] of [['GET list (10,000 images)', listUrl, `${bare.url}/list`], ['GET one', oneUrl, `${bare.url}/one`]] as const) {
      await load(ours, 2); await load(base, 2); // warm-up
      rows.push([name, await load(ours), await load(base)]);
    }

    // Two real CPU-bound builds: vSphere streamOptimized VMDK conversions of a 1 GiB disk of random data.
    const disk = await makeSyntheticDisk(work, { sizeMiB: 1024, blobMiB: 600 });
    const base = { ...newImageRecord('base_image', { template }), status: 'COMPLETE' as const };
    await daemon.container.store.insertMany([base]);
    await copyFile(disk.path, daemon.container.artifacts.bodyPath(base.id));
    const builds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${daemon.url}/imagefactory/target_images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target_image: { target: 'vsphere', base_image_id: base.id } }) });
      builds.push(((await res.json()) as { target_image: { id: string } }).target_image.id);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const building = await Promise.all(builds.map(async (id) => ((await (await fetch(`${daemon.url}/imagefactory/target_images/${id}`)).json()) as { target_image: { status: string } }).target_image.status));
    const underLoad = await load(oneUrl);
    const stillBuilding = await Promise.all(builds.map(async (id) => ((await (await fetch(`${daemon.url}/imagefactory/target_images/${id}`)).json()) as { target_image: { status: string } }).target_image.status));
    for (const id of builds) await fetch(`${daemon.url}/imagefactory/target_images/${id}`, { method: 'DELETE' });

    console.log(`\nImage Factory API, ${IMAGES} stored images, ${CONNECTIONS} connections, ${SECONDS} s per run, node ${process.version}\n`);
    console.log('| request | ours req/s | bare req/s | ratio | ours p50 / p99 ms | bare p50 / p99 ms |');
    console.log('|---|---|---|---|---|---|');
    for (const [name, o, b] of rows) {
      console.log(`| ${name} | ${o.rps.toFixed(0)} | ${b.rps.toFixed(0)} | ${(o.rps / b.rps).toFixed(2)} | ${o.p50} / ${o.p99} | ${b.p50} / ${b.p99} |`);
    }
    console.log(`\nGET one while two vsphere (streamOptimized VMDK) builds run (statuses ${building.join(',')} → ${stillBuilding.join(',')}): ${underLoad.rps.toFixed(0)} req/s, p50 ${underLoad.p50} ms, p99 ${underLoad.p99} ms, errors ${underLoad.errors}`);
    await bare.close();
  } finally {
    await daemon.stop();
    await rm(daemon.dataDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }
}

await main();
