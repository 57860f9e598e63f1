/**
 * Profile of one Debian base build: every tool the plugin runs, with its wall time, plus how many
 * times the initramfs was generated (issue 11 item 0: no work done twice).
 *
 *   node --import tsx bench/build-profile.ts [--cache DIR] [--layer-cache false] [--package NAME] [--keep]
 *
 * Without --cache a fresh, empty cache directory is used (a cold build: no .debs, no layer).
 * --keep leaves disk.raw and rootfs.tar next to the build log.
 */
import { appendFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createExec } from '../src/platform/exec.js';
import { debianMirrorUrl } from '../src/platform/apt-sources.js';
import { debianOsPlugin } from '../src/plugins/os/debian/index.js';
import type { BaseImageContext, Exec } from '../src/plugins/sdk/index.js';
import { debianTemplate } from '../test/helpers/base-image-fixture.js';

const { values } = parseArgs({ options: {
  cache: { type: 'string' }, 'layer-cache': { type: 'string' }, package: { type: 'string', multiple: true }, keep: { type: 'boolean' },
} });

interface Run { argv: readonly string[]; ms: number; start: number; cpuS: number }

/**
 * CPU seconds (user + system) used by this process's finished children and their waited-for
 * descendants (/proc/self/stat cutime + cstime). Tools run one at a time, so the difference around
 * one run is that tool's CPU time: a figure the machine's load barely changes, unlike wall time.
 */
async function childCpuSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

function short(argv: readonly string[]): string {
  const a = argv[0] === 'chroot' ? argv.slice(2) : argv;
  const text = a.map((x) => (x.length > 60 ? `${x.slice(0, 57)}…` : x)).slice(0, 6).join(' ').replace(/\n/g, ' ');
  return (argv[0] === 'chroot' ? `chroot: ${text}` : text).replace(/\|/g, '\\|');
}

async function main() {
  const mirror = await debianMirrorUrl();
  const out = await mkdtemp(join(tmpdir(), 'if-profile-'));
  const cacheDir = values.cache ?? join(out, 'cache');
  const logPath = join(out, 'build.log');
  const t0 = performance.now();
  // Each log line carries the seconds since the start, so steps inside a tool (mmdebstrap's
  // package scripts, update-initramfs) can be timed too.
  const log = (line: string) => appendFileSync(logPath, `[${((performance.now() - t0) / 1000).toFixed(1)}] ${line}\n`);
  const runs: Run[] = [];
  const base = createExec({ onLine: log });
  const exec: Exec = async (argv, o) => {
    const start = performance.now();
    const cpu = await childCpuSeconds();
    try { return await base(argv, o); } finally {
      runs.push({ argv, ms: performance.now() - start, start: start - t0, cpuS: (await childCpuSeconds()) - cpu });
    }
  };
  const { tdl, xml } = debianTemplate(mirror, {
    name: 'profile-bookworm', packages: (values.package ?? []).map((name) => ({ name, repository: null, file: null, arguments: null })),
    files: [], commands: [], precommands: [], repositories: [], diskSizeBytes: 3 * 1024 ** 3,
    os: { ...debianTemplate(mirror).tdl.os, kernelparam: null },
  });
  const ctx: BaseImageContext = {
    imageId: 'profile', workDir: join(out, 'work'), signal: new AbortController().signal, cacheDir, exec, log,
    progress: (p, a) => log(`progress ${p}% ${a}`),
    template: tdl, templateXml: xml, parameters: values['layer-cache'] ? { layer_cache: values['layer-cache'] } : {},
    outputs: { diskPath: join(out, 'disk.raw'), rootfsTarPath: join(out, 'rootfs.tar') },
  };
  await mkdir(ctx.workDir);
  try {
    const result = await debianOsPlugin.createBaseImage(ctx);
    const total = performance.now() - t0;
    const text = await readFile(logPath, 'utf8');
    const initramfs = text.split('\n').filter((l) => /update-initramfs: Generating/.test(l)).length;
    console.log(`\nDebian base build profile, ${new Date().toISOString()}, load average ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')}`);
    const cpu = runs.reduce((s, r) => s + r.cpuS, 0);
    console.log(`total ${(total / 1000).toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU in ${runs.length} tool runs, initramfs generated ${initramfs}× (visible outside mmdebstrap), base layer ${JSON.stringify((result.properties.baseLayer as Record<string, unknown>)?.source)}\n`);
    console.log('| start (s) | tool run | wall (s) | CPU (s) |\n|---|---|---|---|');
    for (const r of runs) if (r.ms >= 100) console.log(`| ${(r.start / 1000).toFixed(1)} | \`${short(r.argv)}\` | ${(r.ms / 1000).toFixed(1)} | ${r.cpuS.toFixed(1)} |`);
    const small = runs.filter((r) => r.ms < 100);
    console.log(`| | ${small.length} runs under 0.1 s each | ${(small.reduce((s, r) => s + r.ms, 0) / 1000).toFixed(1)} | ${small.reduce((s, r) => s + r.cpuS, 0).toFixed(1)} |`);
    console.log('\nInside the tools (log lines with seconds since the start):\n');
    for (const l of text.split('\n')) {
      if (/update-initramfs|Setting up linux-image|Processing triggers for initramfs|^\[[\d.]+\] I: (installing|running|success)|progress \d+%/.test(l)) console.log(`    ${l.slice(0, 160)}`);
    }
    console.log(`\nbuild log: ${logPath}`);
  } finally {
    if (!values.keep) {
      await rm(join(out, 'disk.raw'), { force: true });
      await rm(join(out, 'rootfs.tar'), { force: true });
    }
    await rm(join(out, 'work'), { recursive: true, force: true });
    if (!values.cache) await rm(cacheDir, { recursive: true, force: true });
  }
}

await main();
