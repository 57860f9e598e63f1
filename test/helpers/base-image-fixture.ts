/**
 * ONE real Debian bookworm base image per test run (2 GiB disk, minimal package set), built by the
 * Debian OS plugin and shared by every test that needs a real bootable disk or rootfs tar.
 *
 * Where: $IMAGEFACTORY_TEST_FIXTURES (scripts/test.sh sets a per-run temp dir unless already set,
 * so developers can export a fixed dir and reuse the image between runs), else
 * /tmp/imagefactory-test-fixtures. A lock directory makes parallel test processes build it once;
 * a stale lock (its PID is gone) is taken over. Builds are keyed by the template text.
 */
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createExec } from '../../src/platform/exec.js';
import { debianMirrorUrl } from '../../src/platform/apt-sources.js';
import { debianOsPlugin } from '../../src/plugins/os/debian/index.js';
import type { BaseImageContext, BaseImageResult } from '../../src/plugins/sdk/index.js';
import type { InstalledPackage, Tdl } from '../../src/domain/template/tdl.js';

export interface BaseImageFixture {
  diskPath: string;
  rootfsTarPath: string;
  templateXml: string;
  packages: InstalledPackage[];
  /** The plugin's properties (kernelVersion, rootFsUuid...). */
  properties: Record<string, unknown>;
  /** The plugin's build log of the one build. */
  buildLogPath: string;
}

/** What the fixture template asks for; tests assert these took effect. */
export const FIXTURE = {
  package: 'less',
  filePath: '/etc/imagefactory-fixture.txt',
  fileContent: 'written by a TDL <file>\n',
  commandOutputPath: '/var/lib/imagefactory-fixture-command',
  commandOutput: 'fixture command ran',
  precommandOutputPath: '/etc/imagefactory-precommand',
  /** A non-persisted extra repository (the machine's mirror, -updates suite): used, then removed. */
  repositoryName: 'machine-mirror-updates',
  kernelParam: 'imagefactory.fixture=1',
  diskBytes: 2 * 1024 * 1024 * 1024,
} as const;

export function fixturesRoot(): string {
  return process.env.IMAGEFACTORY_TEST_FIXTURES || '/tmp/imagefactory-test-fixtures';
}

/** A bookworm Tdl plus its XML; `overrides` lets failure tests change parts of it. */
export function debianTemplate(mirror: string, overrides: Partial<Tdl> = {}): { tdl: Tdl; xml: string } {
  const tdl: Tdl = {
    version: '1.0', name: 'fixture-bookworm', description: 'Image Factory test fixture',
    os: {
      name: 'Debian', version: '12', arch: 'x86_64', install: { type: 'url', url: mirror },
      rootpw: 'fixture-root-pw', key: null, kernelparam: FIXTURE.kernelParam, icicleExtraCommand: null,
    },
    packages: [{ name: FIXTURE.package, repository: null, file: null, arguments: null }],
    files: [{ name: FIXTURE.filePath, type: 'raw', content: FIXTURE.fileContent }],
    commands: [{ name: 'mark', position: null, type: 'raw', content: `echo '${FIXTURE.commandOutput}' > ${FIXTURE.commandOutputPath}` }],
    precommands: [{ name: 'pre', position: null, type: 'base64', content: Buffer.from(`touch ${FIXTURE.precommandOutputPath}`).toString('base64') }],
    repositories: [{ name: FIXTURE.repositoryName, url: `${mirror} bookworm-updates main`, signed: true, persisted: false, sslverify: false }],
    diskSizeBytes: FIXTURE.diskBytes,
    ...overrides,
  };
  return { tdl, xml: tdlToXml(tdl) };
}

/** Serialises the subset of TDL these tests use (the real parser reads it back identically). */
export function tdlToXml(t: Tdl): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
  const url = t.os.install.type === 'url' ? t.os.install.url : '';
  const lines = [
    '<template>', `  <name>${esc(t.name)}</name>`,
    '  <os>', `    <name>${esc(t.os.name)}</name>`, `    <version>${esc(t.os.version)}</version>`, `    <arch>${t.os.arch}</arch>`,
    `    <install type='url'><url>${esc(url)}</url></install>`,
    ...(t.os.rootpw ? [`    <rootpw>${esc(t.os.rootpw)}</rootpw>`] : []),
    ...(t.os.kernelparam ? [`    <kernelparam>${esc(t.os.kernelparam)}</kernelparam>`] : []),
    '  </os>',
    ...(t.diskSizeBytes ? [`  <disk><size>${t.diskSizeBytes / 1024 / 1024}MiB</size></disk>`] : []),
    '  <packages>', ...t.packages.map((p) => `    <package name='${esc(p.name)}'/>`), '  </packages>',
    '  <files>', ...t.files.map((f) => `    <file name='${esc(f.name)}' type='${f.type}'>${esc(f.content)}</file>`), '  </files>',
    '  <precommands>', ...t.precommands.map((c) => `    <command name='${esc(c.name)}' type='${c.type}'>${esc(c.content)}</command>`), '  </precommands>',
    '  <commands>', ...t.commands.map((c) => `    <command name='${esc(c.name)}' type='${c.type}'>${esc(c.content)}</command>`), '  </commands>',
    '  <repositories>', ...t.repositories.map((r) => `    <repository name='${esc(r.name)}'><url>${esc(r.url)}</url>`
      + `<signed>${r.signed ? 'yes' : 'no'}</signed><persisted>${r.persisted ? 'yes' : 'no'}</persisted></repository>`), '  </repositories>',
    '</template>', '',
  ];
  return lines.join('\n');
}

/** Runs the Debian plugin with a real context (real tools, log to a file). */
export async function buildWithDebianPlugin(opts: {
  tdl: Tdl; xml: string; outDir: string; cacheDir: string; signal?: AbortSignal; parameters?: Record<string, unknown>;
}): Promise<{ result: BaseImageResult; logPath: string; progress: [number, string][]; diskPath: string; rootfsTarPath: string }> {
  await mkdir(opts.outDir, { recursive: true });
  const logPath = join(opts.outDir, 'build.log');
  const log = (line: string) => appendFileSync(logPath, `${line}\n`);
  const workDir = await mkdtemp(join(opts.outDir, 'work-'));
  const progress: [number, string][] = [];
  const signal = opts.signal ?? new AbortController().signal;
  const ctx: BaseImageContext = {
    imageId: 'fixture', workDir, signal, cacheDir: opts.cacheDir,
    exec: createExec({ signal, onLine: log }),
    log,
    progress: (p, a) => { progress.push([p, a]); log(`progress ${p}% ${a}`); },
    template: opts.tdl, templateXml: opts.xml, parameters: opts.parameters ?? {},
    outputs: { diskPath: join(opts.outDir, 'disk.raw'), rootfsTarPath: join(opts.outDir, 'rootfs.tar') },
  };
  try {
    const result = await debianOsPlugin.createBaseImage(ctx);
    return { result, logPath, progress, ...ctx.outputs };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

let inProcess: Promise<BaseImageFixture> | null = null;

export function getBaseImageFixture(): Promise<BaseImageFixture> {
  inProcess ??= buildOrReuse();
  return inProcess;
}

async function buildOrReuse(): Promise<BaseImageFixture> {
  const mirror = await debianMirrorUrl();
  const { tdl, xml } = debianTemplate(mirror);
  const key = createHash('sha256').update(xml).digest('hex').slice(0, 16);
  const root = fixturesRoot();
  const dir = join(root, `debian-bookworm-${key}`);
  const resultFile = join(dir, 'fixture.json');
  await mkdir(root, { recursive: true });
  const existing = await readFixture(resultFile);
  if (existing) return existing;

  const lock = join(root, `debian-bookworm-${key}.lock`);
  await acquireLock(lock);
  try {
    const again = await readFixture(resultFile);
    if (again) return again;
    await rm(dir, { recursive: true, force: true });
    const built = await buildWithDebianPlugin({ tdl, xml, outDir: dir, cacheDir: join(root, 'cache') });
    const fixture: BaseImageFixture = {
      diskPath: built.diskPath, rootfsTarPath: built.rootfsTarPath, templateXml: xml,
      packages: built.result.packages, properties: built.result.properties, buildLogPath: built.logPath,
    };
    await writeFile(`${resultFile}.tmp`, JSON.stringify(fixture, null, 2));
    await rename(`${resultFile}.tmp`, resultFile);
    return fixture;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function readFixture(path: string): Promise<BaseImageFixture | null> {
  try { return JSON.parse(await readFile(path, 'utf8')) as BaseImageFixture; } catch { return null; }
}

/** mkdir is atomic: whoever creates the directory holds the lock; its PID file tells if it is alive. */
async function acquireLock(lock: string): Promise<void> {
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => '0'));
    if (pid > 0 && !isAlive(pid)) await rm(lock, { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}
