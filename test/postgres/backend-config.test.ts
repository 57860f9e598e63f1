import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { mockTemplate, startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';
import { startCatalogDaemon } from '../catalog/catalog-fixtures.js';

const DAEMON = fileURLToPath(new URL('../../src/main/daemon.ts', import.meta.url));
let dir: string;
let server: PostgresServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'if-backends-'));
  server = await startPostgres();
});
after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Runs imagefactoryd's main() in a child process until it exits (start-up failures exit at once). */
function runDaemon(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const code = `import(${JSON.stringify(DAEMON)}).then((m) => m.main(${JSON.stringify(['--foreground', '--no_ssl', '--port', '0', '--address', '127.0.0.1', '--data_dir', join(dir, 'd'), ...args])}))`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_TEST_CONTEXT: '' } });
    let stderr = '';
    child.stderr.on('data', (c) => { stderr += c; });
    child.stdout.on('data', (c) => { stderr += c; });
    // A daemon that did start is an unexpected success here: stop it by its PID.
    const timer = setTimeout(() => process.kill(child.pid!, 'SIGTERM'), 20_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stderr }); });
  });
}

test('a bad backend value stops start-up naming the key', async () => {
  const mode = await runDaemon(['--build_mode', 'cluster']);
  assert.equal(mode.code, 2);
  assert.match(mode.stderr, /config key "build_mode": must be one of local, queue, got "cluster"/);
  const url = await runDaemon(['--database_url', 'mysql://root:pw@db/imagefactory']);
  assert.equal(url.code, 2);
  assert.match(url.stderr, /config key "database_url": expected empty .* got "mysql:\/\/root:REDACTED@db\/imagefactory"/);
  assert.doesNotMatch(url.stderr, /:pw@/);
  const store = await runDaemon(['--artifact_store', 'relative/dir']);
  assert.equal(store.code, 2);
  assert.match(store.stderr, /config key "artifact_store"/);
  const queue = await runDaemon(['--build_mode', 'queue']);
  assert.equal(queue.code, 2);
  assert.match(queue.stderr, /config key "build_mode": "queue" needs a shared PostgreSQL database/);
});

test('an unreachable database exits non-zero naming the URL, never its password', async () => {
  const r = await runDaemon(['--database_url', 'postgres://factory:s3cret-pw@127.0.0.1:1/imagefactory']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /database postgres:\/\/factory:REDACTED@127\.0\.0\.1:1\/imagefactory is unreachable: .*ECONNREFUSED/);
  assert.doesNotMatch(r.stderr, /s3cret-pw/);
});

test('two daemons on one PostgreSQL database see each other\'s writes at once (no single-writer cache)', async () => {
  const url = await server.createDatabase('shared_two_daemons');
  const daemons: TestDaemon[] = [];
  try {
    for (const name of ['a', 'b']) daemons.push(await startTestDaemon({ dataDir: await mkdtemp(join(dir, name)), flags: { database_url: url } }));
    const [a, b] = daemons;
    const res = await fetch(`${a.url}/imagefactory/base_images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ base_image: { template: mockTemplate() } }) });
    assert.equal(res.status, 202);
    const { base_image: created } = await res.json() as { base_image: { id: string } };
    const seenByB = await waitForStatus(b.url, `/imagefactory/base_images/${created.id}`, ['COMPLETE', 'FAILED', 'BUILDING', 'PENDING', 'NEW']);
    assert.equal(seenByB.id, created.id);
    // B read the record before A's build finished; once A completes it, B shows COMPLETE (read through).
    await waitForStatus(a.url, `/imagefactory/base_images/${created.id}`, ['COMPLETE']);
    assert.equal((await waitForStatus(b.url, `/imagefactory/base_images/${created.id}`, ['COMPLETE'], 5_000)).status, 'COMPLETE');
    const listed = await (await fetch(`${b.url}/imagefactory/base_images`)).json() as { base_images: { base_image: { id: string } }[] };
    assert.ok(listed.base_images.some((i) => i.base_image.id === created.id));
  } finally {
    for (const d of daemons) await d.stop();
  }
});

test('the database going away while running: requests answer 503 naming it, never 500', async () => {
  const own = await startPostgres();
  const url = await own.createDatabase('goes_away');
  const d = await startCatalogDaemon({ dataDir: await mkdtemp(join(dir, 'away-')), flags: { database_url: url } });
  try {
    assert.equal((await fetch(`${d.url}/imagefactory/base_images`)).status, 200);
    assert.equal((await fetch(`${d.url}/v2.1/images`)).status, 200);
    await own.stop();
    const res = await fetch(`${d.url}/imagefactory/base_images`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /database postgres:\/\/postgres@127\.0\.0\.1:\d+\/goes_away is unreachable/);
    const nova = await fetch(`${d.url}/v2.1/images`);
    assert.equal(nova.status, 503);
    assert.match(JSON.stringify(await nova.json()), /serviceUnavailable.*is unreachable/);
  } finally {
    await d.stop().catch(() => undefined);
    await own.stop();
  }
});
