/**
 * Build pipeline speed (issue 3), all measured in one run on this machine:
 *  1. pipeline overhead: a real Debian minimal base image + qcow2 target through the API, wall time
 *     versus the time spent inside the tools themselves (every tool the plugins run is timed);
 *  2. cached rebuild of the unchanged template through the API;
 *  3. conversion throughput per target versus the same converter command run by hand on the same
 *     disk (the command is taken from the target's own build log);
 *  4. daemon memory (RSS) while 2 GiB and 10 GiB disks are converted and downloaded.
 *
 *   node --import tsx bench/pipeline-bench.ts            (about 10–15 min under TCG)
 */
import { rm, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { copyFile } from 'node:fs/promises';
import { newImageRecord } from '../src/core/images/new-image-record.js';
import { builtinPlugins } from '../src/main/builtin-plugins.js';
import { debianMirrorUrl } from '../src/platform/apt-sources.js';
import { runTool } from '../src/platform/exec.js';
import type { Exec, OsPlugin, TargetPlugin } from '../src/plugins/sdk/index.js';
import { mockTemplate, startTestDaemon, waitForStatus, type TestDaemon } from '../test/helpers/test-daemon.js';
import { makeSyntheticDisk } from '../test/helpers/synthetic-disk.js';

const json = { 'content-type': 'application/json' };
const seconds = (ms: number) => (ms / 1000).toFixed(1);

interface ToolTime { total: number; count: number }

/** An Exec that adds each tool run's duration to `acc` (the "by hand" cost of a build). */
function timedExec(exec: Exec, acc: ToolTime): Exec {
  return async (argv, o) => {
    const t = performance.now();
    try { return await exec(argv, o); } finally { acc.total += performance.now() - t; acc.count++; }
  };
}

function timedOsPlugin(plugin: OsPlugin, acc: ToolTime): OsPlugin {
  return { ...plugin, createBaseImage: (ctx) => plugin.createBaseImage({ ...ctx, exec: timedExec(ctx.exec, acc) }) };
}

function timedTargetPlugin(plugin: TargetPlugin, acc: ToolTime): TargetPlugin {
  return { ...plugin, createTargetImage: (ctx) => plugin.createTargetImage({ ...ctx, exec: timedExec(ctx.exec, acc) }) };
}

function template(mirror: string): string {
  return `<template><name>bench-bookworm</name><os><name>Debian</name><version>12</version><arch>x86_64</arch>
  <install type='url'><url>${mirror}</url></install><rootpw>bench</rootpw></os><disk><size>2G</size></disk></template>`;
}

async function post(d: TestDaemon, path: string, body: unknown): Promise<Record<string, string>> {
  const res = await fetch(`${d.url}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
  if (res.status !== 202) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return Object.values(await res.json())[0] as Record<string, string>;
}

async function timedBuild(d: TestDaemon, kind: string, id: string): Promise<number> {
  const t = performance.now();
  const done = await waitForStatus(d.url, `/imagefactory/${kind}/${id}`, ['COMPLETE', 'FAILED'], 60 * 60_000);
  if (done.status !== 'COMPLETE') throw new Error(`${kind} ${id}: ${JSON.stringify(done.status_detail)}`);
  return performance.now() - t;
}

/** Splits a build-log command line ("$ a 'b c' d") back into argv (the log quotes with '…'). */
function logArgv(line: string): string[] {
  const out: string[] = [];
  for (const m of line.replace(/^.*?\$ /, '').matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]);
  return out;
}

async function conversionCommand(d: TestDaemon, targetId: string): Promise<string[] | null> {
  const log = await (await fetch(`${d.url}/imagefactory/target_images/${targetId}/log`)).text();
  const line = log.split('\n').filter((l) => /\$ (qemu-img convert|tar )/.test(l)).pop();
  return line ? logArgv(line) : null;
}

/**
 * Re-runs a target's converter command on the base disk: qemu-img's input becomes the base body and
 * its output a fresh file; tar's `-C <staging>` becomes a directory whose disk.raw links to the body.
 */
async function runByHand(argv: string[], body: string, out: string): Promise<number> {
  let cmd: string[];
  if (argv[0] === 'tar') {
    await runTool(['mkdir', '-p', `${out}.d`]);
    await runTool(['ln', '-sf', body, `${out}.d/disk.raw`]);
    const c = argv.indexOf('-C');
    const f = argv.indexOf('-cf');
    cmd = argv.map((a, i) => (i === c + 1 ? `${out}.d` : i === f + 1 ? out : a));
  } else {
    // qemu-img convert … <input> <output> (or cp <input> <output>): the last two arguments. The
    // pipeline may read an overlay (-f qcow2); by hand reads the raw base disk itself.
    const f = argv.indexOf('-f');
    cmd = [...argv.slice(0, -2).map((a, i) => (i === f + 1 ? 'raw' : a)), body, out];
  }
  const t = performance.now();
  await runTool(cmd);
  const ms = performance.now() - t;
  await rm(out, { force: true, recursive: true });
  await rm(`${out}.d`, { force: true, recursive: true });
  return ms;
}

async function main() {
  const mirror = await debianMirrorUrl();
  const baseTools: ToolTime = { total: 0, count: 0 };
  const targetTools: ToolTime = { total: 0, count: 0 };
  const plugins = builtinPlugins();
  const d = await startTestDaemon({
    plugins: { os: plugins.os.map((p) => timedOsPlugin(p, baseTools)), cloud: plugins.cloud.map((p) => timedTargetPlugin(p, targetTools)) },
    flags: { boot_test: false },
  });
  const work = await mkdtemp(join(tmpdir(), 'if-pipeline-bench-'));
  const rows: string[] = [];
  try {
    // 1. Pipeline overhead of a real base build + qcow2 target: API wall time vs time inside the tools.
    const b = await post(d, '/imagefactory/base_images', { base_image: { template: template(mirror) } });
    const baseWall = await timedBuild(d, 'base_images', b.id);
    const base = b.id;
    const q = await post(d, `/imagefactory/base_images/${base}/target_images`, { target_image: { target: 'openstack-kvm' } });
    const targetWall = await timedBuild(d, 'target_images', q.id);
    const wall = baseWall + targetWall;
    const tools = baseTools.total + targetTools.total;
    rows.push('| step | API: POST → COMPLETE | inside the tools (by hand) | overhead ratio |', '|---|---|---|---|');
    rows.push(`| Debian minimal base (${baseTools.count} tool runs) | ${seconds(baseWall)} s | ${seconds(baseTools.total)} s | ${(baseWall / baseTools.total).toFixed(3)} |`);
    rows.push(`| openstack-kvm compressed qcow2 target (${targetTools.count} tool runs) | ${seconds(targetWall)} s | ${seconds(targetTools.total)} s | ${(targetWall / targetTools.total).toFixed(3)} |`);
    rows.push(`| both | ${seconds(wall)} s | ${seconds(tools)} s | **${(wall / tools).toFixed(3)}** |`, '');

    // 2. Cached rebuild of the unchanged template.
    const c0 = performance.now();
    const again = await post(d, '/imagefactory/base_images', { base_image: { template: template(mirror) } });
    await timedBuild(d, 'base_images', again.id);
    rows.push(`Cached rebuild (POST → COMPLETE, polled every 100 ms): ${((performance.now() - c0) / 1000).toFixed(2)} s`);

    // 3. Conversion throughput per target versus the same converter command by hand.
    const body = d.container.artifacts.bodyPath(base);
    rows.push('', '| target | API: POST → COMPLETE | by hand: the same converter command | throughput ratio (hand / API) |', '|---|---|---|---|');
    for (const target of ['ec2', 'openstack-kvm', 'rhevm', 'vsphere', 'hyperv', 'azure', 'virtualbox', 'gce']) {
      const img = await post(d, `/imagefactory/base_images/${base}/target_images`, { target_image: { target } });
      const apiMs = await timedBuild(d, 'target_images', img.id);
      const argv = await conversionCommand(d, img.id);
      let handMs = NaN;
      // A target whose body is the edited disk itself (raw) has no converter: by hand is a sparse copy.
      handMs = await runByHand(argv ?? ['cp', '--sparse=always', body, 'out'], body, join(work, `hand-${target}`));
      rows.push(`| ${target} | ${seconds(apiMs)} s | ${Number.isNaN(handMs) ? 'n/a' : `${seconds(handMs)} s`} | ${Number.isNaN(handMs) ? 'n/a' : (handMs / apiMs).toFixed(2)} |`);
    }

    // 4. Daemon memory while big disks convert and download.
    rows.push('', '| disk | peak daemon RSS during ec2 + vsphere builds and a full raw_image download | RSS before |', '|---|---|---|');
    for (const sizeMiB of [2048, 10240]) {
      const disk = await makeSyntheticDisk(join(work, `d${sizeMiB}`), { sizeMiB, blobMiB: 400 });
      const rec = { ...newImageRecord('base_image', { template: mockTemplate('mem') }), status: 'COMPLETE' as const };
      await d.container.store.insertMany([rec]);
      await copyFile(disk.path, d.container.artifacts.bodyPath(rec.id));
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
      const ids = [await post(d, `/imagefactory/base_images/${rec.id}/target_images`, { target_image: { target: 'ec2' } }), await post(d, `/imagefactory/base_images/${rec.id}/target_images`, { target_image: { target: 'vsphere' } })];
      for (const i of ids) await timedBuild(d, 'target_images', i.id);
      const res = await fetch(`${d.url}/imagefactory/base_images/${rec.id}/raw_image`);
      let bytes = 0;
      await pipeline(res.body!, new Writable({ write(chunk, _e, cb) { bytes += chunk.length; cb(); } }));
      clearInterval(sampler);
      const size = (await stat(d.container.artifacts.bodyPath(rec.id))).size;
      if (bytes !== size) throw new Error(`download of ${size} bytes returned ${bytes}`);
      rows.push(`| ${sizeMiB / 1024} GiB | ${(peak / 2 ** 20).toFixed(0)} MiB | ${(before / 2 ** 20).toFixed(0)} MiB |`);
      await rm(join(work, `d${sizeMiB}`), { recursive: true, force: true });
    }
  } finally {
    await d.stop();
    await rm(d.dataDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }
  console.log(`\nBuild pipeline, node ${process.version}, ${new Date().toISOString()}\n`);
  console.log(rows.join('\n'));
}

await main();
