/**
 * The dashboard and the event stream, each against a baseline measured in the same run:
 *
 * 1. First load in Chromium (cold cache) with 10,000 stored images: bytes transferred and time until
 *    the image list is on screen, against (a) the bytes of the API's own 10,000-image id list and
 *    (b) a bare Fastify page serving the same rows as ready-made HTML.
 * 2. API latency (GET one image, autocannon) while two real CPU-bound target builds run, with 100
 *    event-stream subscribers connected vs none (alternating windows, so build phases affect both).
 *
 *   node --import tsx bench/dashboard-bench.ts [--seconds 4] [--loads 5]
 */
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser } from 'playwright-core';
import { newImageRecord } from '../src/core/images/new-image-record.js';
import { targetPlugins } from '../src/plugins/targets/index.js';
import { mockOsPlugin } from '../test/doubles/mock-os-plugin.js';
import { makeSyntheticDisk } from '../test/helpers/synthetic-disk.js';
import { mockTemplate, startTestDaemon } from '../test/helpers/test-daemon.js';

const arg = (name: string, fallback: number) => Number(process.argv[process.argv.indexOf(name) + 1]) || fallback;
const SECONDS = arg('--seconds', 4);
const LOADS = arg('--loads', 5);
const IMAGES = 10_000;
const SUBSCRIBERS = 100;
const EVENTS_PER_SECOND = 200;
const ROUNDS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** One cold load: bytes over the wire and ms from navigation start until `rows` list rows are painted. */
async function coldLoad(browser: Browser, url: string, rowSelector: string, rows: number): Promise<{ bytes: number; ms: number; domRows: number }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  await page.goto(url);
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel as string).length >= (n as number), [rowSelector, rows], { polling: 'raf' });
  const ms = await page.evaluate(() => performance.now());
  const domRows = await page.evaluate(() => document.querySelectorAll('tr').length);
  await context.close();
  return { bytes, ms, domRows };
}

async function latency(url: string, seconds: number) {
  const r = await autocannon({ url, connections: 10, duration: seconds });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

function subscribers(url: string, count: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/sse-subscribers.ts', url, String(count)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const next = () => new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`subscribers exited with ${code}`)));
  });
  return {
    connected: next(),
    async stop(): Promise<{ connected: number; events: number }> {
      const result = next();
      child.stdin!.end();
      return JSON.parse(await result);
    },
  };
}

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'if-bench-dash-'));
  const daemon = await startTestDaemon({ plugins: { os: [mockOsPlugin], cloud: targetPlugins }, file: { max_concurrent_local_sessions: 2 } });
  const browser = await launch();
  try {
    const template = mockTemplate('bench-image');
    const records = Array.from({ length: IMAGES }, () => ({ ...newImageRecord('base_image', { template }), status: 'COMPLETE' as const, percentComplete: 100 }));
    for (let i = 0; i < records.length; i += 1000) await daemon.container.store.insertMany(records.slice(i, i + 1000));

    // 1. First load.
    const apiList = Buffer.byteLength(await (await fetch(`${daemon.url}/imagefactory/base_images`)).text());
    const firstPage = (await (await fetch(`${daemon.url}/dashboard/api/tree?offset=0&limit=25`)).json()) as { bases: { id: string; name: string; status: string; percent_complete: number }[] };
    const bare = Fastify({ logger: false });
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>list</title></head><body><table><tbody>${firstPage.bases
      .map((b) => `<tr class="row"><td>${b.name}</td><td>${b.id}</td><td>${b.status}</td><td>${b.percent_complete}%</td></tr>`).join('')}</tbody></table></body></html>`;
    bare.get('/', async (_q, reply) => reply.type('text/html; charset=UTF-8').send(html));
    const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
    await coldLoad(browser, `${daemon.url}/`, 'table.tree tbody tr', 25); // warm-up (server side)
    await coldLoad(browser, bareUrl, 'tr.row', 25);
    const ours: Awaited<ReturnType<typeof coldLoad>>[] = [];
    const base: Awaited<ReturnType<typeof coldLoad>>[] = [];
    for (let i = 0; i < LOADS; i++) {
      ours.push(await coldLoad(browser, `${daemon.url}/`, 'table.tree tbody tr', 25));
      base.push(await coldLoad(browser, bareUrl, 'tr.row', 25));
    }
    await bare.close();

    // 2. Event stream under two real builds.
    const disk = await makeSyntheticDisk(work, { sizeMiB: 1024, blobMiB: 600 });
    const source = { ...newImageRecord('base_image', { template }), status: 'COMPLETE' as const };
    await daemon.container.store.insertMany([source]);
    await copyFile(disk.path, daemon.container.artifacts.bodyPath(source.id));
    const oneUrl = `${daemon.url}/imagefactory/base_images/${records[IMAGES / 2].id}`;
    await latency(oneUrl, 2); // warm-up
    const builds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${daemon.url}/imagefactory/target_images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target_image: { target: 'vsphere', base_image_id: source.id } }) });
      builds.push(((await res.json()) as { target_image: { id: string } }).target_image.id);
    }
    const statuses = async () => Promise.all(builds.map(async (id) => (await daemon.container.store.get(id))?.status));
    await new Promise((r) => setTimeout(r, 2000));
    const before = await statuses();
    const none: Awaited<ReturnType<typeof latency>>[] = [];
    const withSubs: Awaited<ReturnType<typeof latency>>[] = [];
    let delivered = 0; let connected = 0;
    // The vsphere builds report little progress of their own (a handful of events a minute), so a
    // fixed stream of image changes goes through the real event bus in every window, with and
    // without subscribers: the windows differ only in the 100 subscribers.
    let emitted = 0;
    const chatterStart = Date.now();
    const chatter = setInterval(() => {
      const image = records[emitted % IMAGES];
      daemon.container.events.emit({ image: { ...image, percentComplete: emitted % 100, statusDetail: { activity: `bench progress ${emitted}`, error: null } } });
      emitted++;
    }, 1000 / EVENTS_PER_SECOND);
    for (let round = 0; round < ROUNDS; round++) {
      none.push(await latency(oneUrl, SECONDS));
      const subs = subscribers(`${daemon.url}/imagefactory/events`, SUBSCRIBERS);
      await subs.connected;
      withSubs.push(await latency(oneUrl, SECONDS));
      const r = await subs.stop();
      delivered += r.events; connected = Math.max(connected, r.connected);
    }
    clearInterval(chatter);
    const rate = emitted / ((Date.now() - chatterStart) / 1000);
    const after = await statuses();
    for (const id of builds) await fetch(`${daemon.url}/imagefactory/target_images/${id}`, { method: 'DELETE' });

    const o = { bytes: median(ours.map((x) => x.bytes)), ms: median(ours.map((x) => x.ms)), rows: ours[0].domRows };
    const b = { bytes: median(base.map((x) => x.bytes)), ms: median(base.map((x) => x.ms)) };
    console.log(`\nDashboard first load, ${IMAGES.toLocaleString('en')} stored images, Chromium ${browser.version()} headless, cold cache, median of ${LOADS}, node ${process.version}\n`);
    console.log('| | bytes transferred | ms to image list | DOM rows |');
    console.log('|---|---|---|---|');
    console.log(`| dashboard (\`/\`, first page of 25) | ${o.bytes.toLocaleString('en')} | ${o.ms.toFixed(0)} | ${o.rows} |`);
    console.log(`| bare server-rendered page of the same 25 rows | ${b.bytes.toLocaleString('en')} | ${b.ms.toFixed(0)} | 25 |`);
    console.log(`| API id list alone (\`GET /imagefactory/base_images\`) | ${apiList.toLocaleString('en')} | | |`);
    console.log(`\nratios: time ${(o.ms / b.ms).toFixed(2)}× the bare page; bytes ${(o.bytes / apiList).toFixed(3)}× the API's id list\n`);
    const avg = (xs: { p50: number; p99: number; rps: number }[], k: 'p50' | 'p99' | 'rps') => xs.reduce((s, x) => s + x[k], 0) / xs.length;
    console.log(`Event stream: GET one image while two vsphere builds run (statuses ${before.join(',')} → ${after.join(',')}), ${ROUNDS} × ${SECONDS} s windows each, alternating, ${rate.toFixed(0)} image changes/s on the event bus throughout\n`);
    console.log('| subscribers | req/s | p50 ms | p99 ms | errors |');
    console.log('|---|---|---|---|---|');
    console.log(`| 0 | ${avg(none, 'rps').toFixed(0)} | ${avg(none, 'p50').toFixed(1)} | ${avg(none, 'p99').toFixed(1)} | ${none.reduce((s, x) => s + x.errors, 0)} |`);
    console.log(`| ${connected} | ${avg(withSubs, 'rps').toFixed(0)} | ${avg(withSubs, 'p50').toFixed(1)} | ${avg(withSubs, 'p99').toFixed(1)} | ${withSubs.reduce((s, x) => s + x.errors, 0)} |`);
    console.log(`\nratio p99 with/without subscribers: ${(avg(withSubs, 'p99') / avg(none, 'p99')).toFixed(2)}; events delivered to subscribers: ${delivered.toLocaleString('en')} (${emitted.toLocaleString('en')} emitted)`);
  } finally {
    await browser.close();
    await daemon.stop();
    await rm(daemon.dataDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }
}

await main();
