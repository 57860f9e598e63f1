/**
 * Peer bench (issue 11): the same Debian 12 disk built by this project and by Debian 12's mkosi
 * (configured in bench/peers/mkosi/mkosi.conf), cold and warm, interleaved, several rounds; and a
 * template that adds one package to a cached one. Boot test off on both sides.
 *
 *   node --import tsx bench/peer-bench.ts [--rounds 2]        (about 15–25 min on 2 cores)
 *
 * Ours: POST /imagefactory/target_images with the template, target openstack-kvm (compressed
 * qcow2, zstd clusters), 3 GiB GPT + ext4 + GRUB; POST → COMPLETE through the real daemon.
 * mkosi: `mkosi build` (gpt_ext4, 3G root, qcow2: uncompressed, see mkosi.conf). Cold = an empty cache (ours:
 * no .debs, no base layer; mkosi: an empty package cache). Warm = the caches the cold run left
 * (ours with build_cache=false, so the whole-template cache does not answer instead).
 * mkosi is installed on demand (apt-get install mkosi). The mirror is the machine's apt mirror.
 */
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { builtinPlugins } from '../src/main/builtin-plugins.js';
import { debianMirrorUrl } from '../src/platform/apt-sources.js';
import { runTool } from '../src/platform/exec.js';
import { startTestDaemon, waitForStatus, type TestDaemon } from '../test/helpers/test-daemon.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' } } });
const ROUNDS = Number(values.rounds);
const MKOSI_DIR = fileURLToPath(new URL('./peers/mkosi/', import.meta.url));
const json = { 'content-type': 'application/json' };

function template(mirror: string, packages: string[]): string {
  return `<template><name>peer-bookworm</name><os><name>Debian</name><version>12</version><arch>x86_64</arch>
  <install type='url'><url>${mirror}</url></install><rootpw>bench</rootpw></os><disk><size>3G</size></disk>
  <packages>${packages.map((p) => `<package name='${p}'/>`).join('')}</packages></template>`;
}

async function loadavg(): Promise<string> {
  return (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
}

async function ensureMkosi(): Promise<string> {
  try {
    return (await runTool(['mkosi', '--version'], { onLine: () => {} })).stdout.trim();
  } catch {
    await runTool(['apt-get', 'install', '-y', '--no-install-recommends', 'mkosi'], { env: { DEBIAN_FRONTEND: 'noninteractive' }, onLine: () => {} });
    return (await runTool(['mkosi', '--version'], { onLine: () => {} })).stdout.trim();
  }
}

async function emptyDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

interface Ours { seconds: number; layer: string; cpu: number }

/**
 * CPU seconds (user + system) of this process (the daemon runs in it) plus its finished children
 * (/proc/self/stat cutime + cstime: every tool the daemon ran, mkosi and what it ran). Builds run one
 * at a time, so the difference around one build is that build's CPU: a figure the shared machine's
 * load and the mirror's download speed barely move, unlike wall time.
 */
async function cpuSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = process.cpuUsage();
  return (Number(f[13]) + Number(f[14])) / 100 + (own.user + own.system) / 1e6;
}

async function buildOurs(d: TestDaemon, mirror: string, packages: string[]): Promise<Ours> {
  const t = performance.now();
  const cpu0 = await cpuSeconds();
  const res = await fetch(`${d.url}/imagefactory/target_images`, {
    method: 'POST', headers: json,
    body: JSON.stringify({ target_image: {
      target: 'openstack-kvm', template: template(mirror, packages),
      parameters: { boot_test: false, build_cache: false, openstack_qcow2_compression: 'zstd' },
    } }),
  });
  if (res.status !== 202) throw new Error(`POST target_images: ${res.status} ${await res.text()}`);
  const img = (await res.json() as { target_image: { id: string; base_image_id: string } }).target_image;
  const done = await waitForStatus(d.url, `/imagefactory/target_images/${img.id}`, ['COMPLETE', 'FAILED'], 60 * 60_000);
  if (done.status !== 'COMPLETE') throw new Error(`target ${img.id}: ${JSON.stringify(done.status_detail)}`);
  const seconds = (performance.now() - t) / 1000;
  const base = await (await fetch(`${d.url}/imagefactory/base_images/${img.base_image_id}`)).json() as { base_image: { properties: { baseLayer?: { source?: string } } } };
  return { seconds, layer: base.base_image.properties.baseLayer?.source ?? '?', cpu: (await cpuSeconds()) - cpu0 };
}

async function buildMkosi(mirror: string, out: string, cache: string): Promise<{ seconds: number; cpu: number }> {
  await emptyDir(out);
  const t = performance.now();
  const cpu0 = await cpuSeconds();
  await runTool(['mkosi', '--directory', MKOSI_DIR, '--mirror', mirror, '--output-dir', out, '--cache', cache, '--force', 'build'], { onLine: () => {} });
  const seconds = (performance.now() - t) / 1000;
  const cpu = (await cpuSeconds()) - cpu0;
  const files = await readdir(out, { recursive: true });
  if (!files.some((f) => String(f).endsWith('.qcow2'))) throw new Error(`mkosi left no .qcow2 in ${out}: ${files.join(', ')}`);
  return { seconds, cpu };
}

async function main() {
  const mirror = await debianMirrorUrl();
  const mkosiVersion = await ensureMkosi();
  const work = await mkdtemp('/var/tmp/if-peer-bench-');
  const mkosiCache = join(work, 'mkosi-cache');
  const mkosiOut = join(work, 'mkosi-out');
  await mkdir(join(work, 'daemon'));
  const d = await startTestDaemon({ dataDir: join(work, 'daemon'), plugins: builtinPlugins(), flags: { boot_test: false } });
  const cacheDir = d.container.artifacts.cacheDir();
  const rows: string[] = ['| round | run | ours (s) | mkosi (s) | ours / mkosi | CPU s: ours, mkosi, ratio | load avg before |', '|---|---|---|---|---|---|---|'];
  const ratios = { cold: [] as number[], warm: [] as number[], onePackage: [] as number[], coldCpu: [] as number[], warmCpu: [] as number[], onePackageCpu: [] as number[] };
  const cpuCell = (a: number, b: number) => `${a.toFixed(1)}, ${b.toFixed(1)}, ${(a / b).toFixed(2)}`;
  try {
    for (let r = 1; r <= ROUNDS; r++) {
      // Cold: both caches emptied; then warm on what the cold runs left; then one more package.
      let l = await loadavg();
      await emptyDir(cacheDir);
      const oursCold = await buildOurs(d, mirror, []);
      await emptyDir(mkosiCache);
      const mkosiCold = await buildMkosi(mirror, mkosiOut, mkosiCache);
      rows.push(`| ${r} | cold | ${oursCold.seconds.toFixed(1)} (layer ${oursCold.layer}) | ${mkosiCold.seconds.toFixed(1)} | ${(oursCold.seconds / mkosiCold.seconds).toFixed(2)} | ${cpuCell(oursCold.cpu, mkosiCold.cpu)} | ${l} |`);
      ratios.cold.push(oursCold.seconds / mkosiCold.seconds);
      ratios.coldCpu.push(oursCold.cpu / mkosiCold.cpu);
      l = await loadavg();
      const oursWarm = await buildOurs(d, mirror, []);
      const mkosiWarm = await buildMkosi(mirror, mkosiOut, mkosiCache);
      rows.push(`| ${r} | warm | ${oursWarm.seconds.toFixed(1)} (layer ${oursWarm.layer}) | ${mkosiWarm.seconds.toFixed(1)} | ${(oursWarm.seconds / mkosiWarm.seconds).toFixed(2)} | ${cpuCell(oursWarm.cpu, mkosiWarm.cpu)} | ${l} |`);
      ratios.warm.push(oursWarm.seconds / mkosiWarm.seconds);
      ratios.warmCpu.push(oursWarm.cpu / mkosiWarm.cpu);
      l = await loadavg();
      const plusOne = await buildOurs(d, mirror, ['less']);
      rows.push(`| ${r} | ours: template + 1 package (less), warm | ${plusOne.seconds.toFixed(1)} (layer ${plusOne.layer}) | | ${(plusOne.seconds / oursCold.seconds).toFixed(2)} of our cold build | ${plusOne.cpu.toFixed(1)}, ${(plusOne.cpu / oursCold.cpu).toFixed(2)} of our cold | ${l} |`);
      ratios.onePackage.push(plusOne.seconds / oursCold.seconds);
      ratios.onePackageCpu.push(plusOne.cpu / oursCold.cpu);
      console.error(rows.slice(-3).join('\n'));
    }
  } finally {
    await d.stop();
    await rm(work, { recursive: true, force: true });
  }
  const mean = (a: number[]) => (a.reduce((s, x) => s + x, 0) / a.length).toFixed(2);
  console.log(`\nPeer bench: ${ROUNDS} interleaved rounds, ${mkosiVersion}, node ${process.version}, ${new Date().toISOString()}, load average after ${await loadavg()}\n`);
  console.log(rows.join('\n'));
  console.log(`\nmean ours / mkosi: cold ${mean(ratios.cold)} (target ≤ 1.0), warm ${mean(ratios.warm)} (target ≤ 0.8); `
    + `template + 1 package / our cold build: ${mean(ratios.onePackage)} (target ≤ 0.5)`);
  console.log(`in CPU seconds: cold ${mean(ratios.coldCpu)}, warm ${mean(ratios.warmCpu)}; template + 1 package / our cold build: ${mean(ratios.onePackageCpu)}`);
}

await main();
