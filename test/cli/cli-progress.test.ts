/**
 * The CLI's progress output: plain lines in a pipe, JSON lines for scripts, nothing with --quiet,
 * deletes that wait (DELETEFAILED with its reason), and in a real terminal (tmux): the bar with
 * its spinner and activity, and a download with bytes, rate and ETA.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { runTool } from '../../src/platform/exec.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { mockTemplate, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js';
import { runCli } from './run-cli.js';

const run = promisify(execFile);
const ENTRY = new URL('../../src/main/cli.ts', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;

describe('imagefactory CLI progress output', () => {
  let d: TestDaemon;
  let dir: string;
  let template: string;
  let api: string;
  const cli = (...args: string[]) => runCli(['--url', api, '--poll-interval', '50', ...args]);

  before(async () => {
    d = await startTestDaemon({ file: { build_cache: false } });
    api = `${d.url}/imagefactory`;
    dir = await mkdtemp(join(tmpdir(), 'if-cli-progress-'));
    template = join(dir, 'mock.tdl');
    await writeFile(template, mockTemplate('cli-progress'));
  });
  after(async () => {
    await d.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(d.dataDir, { recursive: true, force: true });
  });

  test('pipe mode: one plain line per change, percent never going back; --quiet prints only the result', async () => {
    const r = await cli('base_image', template, '--parameter', 'mock_delay_ms', '800');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('['));
    assert.ok(lines.length >= 3, r.stderr);
    const percents = lines.map((l) => Number(/^\[\s*(\d+)%\]/.exec(l)![1]));
    assert.deepEqual(percents, [...percents].sort((a, b) => a - b));
    assert.match(lines.at(-1)!, /^\[100%\] COMPLETE: Base Image build complete$/);
    assert.doesNotMatch(r.stderr, /\x1b\[/, 'no terminal control sequences in a pipe');

    const quiet = await cli('--nowait', '--wait', '--quiet', 'base_image', template); // --wait wins: it waits
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stderr, '');
    assert.match(quiet.stdout, /Image build completed SUCCESSFULLY!/);
  });

  test('--progress json: one JSON object per line for builds, downloads and notes', async () => {
    const r = await cli('--progress', 'json', '--output', 'json', 'base_image', template, '--parameter', 'mock_delay_ms', '800');
    assert.equal(r.code, 0, r.stderr);
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const builds = events.filter((e) => e.event === 'build');
    assert.ok(builds.length >= 3);
    assert.deepEqual(Object.keys(builds[0]).sort(), ['activity', 'event', 'id', 'percent_complete', 'status', 'time', 'type']);
    assert.equal(builds.at(-1)!.status, 'COMPLETE');
    const id = JSON.parse(r.stdout).id as string;
    assert.ok(builds.every((b) => b.id === id && b.type === 'base_image'));

    const file = join(dir, 'dl.raw');
    const dl = await cli('--progress', 'json', 'download', id, file);
    assert.equal(dl.code, 0, dl.stderr);
    const transfers = dl.stderr.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.event === 'transfer');
    const size = (await readFile(file)).length;
    assert.deepEqual(transfers.at(-1), { ...transfers.at(-1), bytes: size, total: size, eta_seconds: 0 });
    assert.ok(transfers.length >= 2 && transfers[0].bytes === 0);
  });

  test('--progress json of an import: upload bytes up to the file size, then the conversion\'s build progress', async () => {
    const disk = await makeSyntheticDisk(dir, { sizeMiB: 16 });
    const qcow2 = join(dir, 'upload.qcow2');
    await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', disk.path, qcow2]);
    const size = (await readFile(qcow2)).length;
    const r = await cli('--progress', 'json', 'import_base_image', qcow2, '--os-name', 'Debian', '--os-version', '12');
    assert.equal(r.code, 0, r.stderr);
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const uploads = events.filter((e) => e.event === 'transfer');
    assert.equal(uploads[0].bytes, 0);
    assert.deepEqual([uploads.at(-1)!.bytes, uploads.at(-1)!.total, uploads.at(-1)!.label], [size, size, 'Uploading upload.qcow2']);
    const builds = events.filter((e) => e.event === 'build');
    assert.equal(builds.at(-1)!.status, 'COMPLETE');
    assert.ok(events.indexOf(uploads.at(-1)!) < events.indexOf(builds[0]), 'the upload ends before the build is watched');
  });

  test('delete waits for the deletion; DELETEFAILED exits 1 with the provider\'s reason; --nowait does not wait', async () => {
    const t = await cli('--output', 'json', 'target_image', 'mock', '--template', template);
    const target = JSON.parse(t.stdout);
    const creds = join(dir, 'creds.json');
    await writeFile(creds, JSON.stringify({ token: 'fine' }));
    const p = await cli('--output', 'json', 'provider_image', 'mock', '@mock-provider', creds, '--id', target.id);
    const pushed = JSON.parse(p.stdout);
    const refusing = join(dir, 'refusing.json');
    await writeFile(refusing, JSON.stringify({ token: 'fail-delete' }));
    const failed = await cli('delete', pushed.id, '--provider', '@mock-provider', '--credentials', refusing, '--target', 'mock');
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /DELETEFAILED\): the mock provider refused to delete the image/);
    const kept = (await (await fetch(`${api}/provider_images/${pushed.id}`)).json()).provider_image;
    assert.equal(kept.status, 'DELETEFAILED');

    const ok = await cli('delete', pushed.id, '--provider', '@mock-provider', '--credentials', creds, '--target', 'mock');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Deleted provider_image/);
    assert.equal((await fetch(`${api}/provider_images/${pushed.id}`)).status, 404, 'gone when the CLI says so');

    const noWait = await cli('--nowait', '--output', 'json', 'delete', target.id);
    assert.equal(noWait.code, 0, noWait.stderr);
    assert.deepEqual(JSON.parse(noWait.stdout), { id: target.id, type: 'target_image', status: 'DELETING' });
  });

  test('an untrusted TLS certificate: the error suggests --cacert and --insecure', async () => {
    const { createServer } = await import('node:https');
    const { loadTlsMaterial } = await import('../../src/platform/tls-certificate.js');
    const tls = await loadTlsMaterial('*', dir); // the daemon's own self-signed certificate
    const server = createServer({ key: tls.key, cert: tls.cert }, (_q, res) => res.end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await runCli(['--url', `https://127.0.0.1:${port}/imagefactory`, 'plugins']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /not trusted: pass --cacert FILE .*or --insecure/);
    } finally {
      server.close();
    }
  });

  test('in a real terminal (tmux): a bar with spinner, percent and activity; a download with bytes, rate and ETA', async (t) => {
    const socket = `if-cli-${process.pid}`;
    const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args]);
    t.after(() => tmux('kill-server').catch(() => undefined));
    const cmd = (args: string[]) => [process.execPath, '--import', 'tsx', ENTRY, '--url', api, '--poll-interval', '100', ...args].map((a) => `'${a}'`).join(' ');
    const done = join(dir, 'tty.done');
    await tmux('new-session', '-d', '-x', '160', '-y', '30', '-c', ROOT,
      `${cmd(['base_image', template, '--parameter', 'mock_delay_ms', '6000'])}; echo "EXIT=$?" > ${done}; sleep 120`);
    // While the build runs: the bar, a spinner frame, the status and the activity, on one line.
    let screen = '';
    for (let i = 0; i < 100 && !/BUILDING: Mock step/.test(screen); i++) {
      await sleep(100);
      screen = (await tmux('capture-pane', '-p')).stdout;
    }
    assert.match(screen, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[[█░]{30}\] \d+% \| BUILDING: Mock step \d of 4/, screen);
    for (let i = 0; i < 150; i++) {
      if (await readFile(done, 'utf8').catch(() => '')) break;
      await sleep(100);
    }
    assert.equal((await readFile(done, 'utf8')).trim(), 'EXIT=0');
    screen = (await tmux('capture-pane', '-p')).stdout;
    assert.match(screen, /\[█{30}\] 100% \| COMPLETE: Base Image build complete/, screen);
    assert.match(screen, /Image build completed SUCCESSFULLY!/);
    const id = /UUID: (\S+)/.exec(screen)![1];

    const file = join(dir, 'tty.raw');
    const dlDone = join(dir, 'tty-dl.done');
    await tmux('kill-server');
    await tmux('new-session', '-d', '-x', '160', '-y', '30', '-c', ROOT, `${cmd(['download', id, file])}; echo "EXIT=$?" > ${dlDone}; sleep 120`);
    for (let i = 0; i < 150; i++) {
      if (await readFile(dlDone, 'utf8').catch(() => '')) break;
      await sleep(100);
    }
    assert.equal((await readFile(dlDone, 'utf8')).trim(), 'EXIT=0');
    screen = (await tmux('capture-pane', '-p')).stdout;
    const size = (await readFile(file)).length;
    const mib = (size / 1024 / 1024).toFixed(1);
    assert.match(screen, new RegExp(`Downloading base_image ${id.slice(0, 8)} \\[█{30}\\] 100% \\| ${mib} MiB of ${mib} MiB \\| [\\d.]+ \\w+/s \\| ETA 0:00`), screen);
  });
});
