import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, truncate, writeFile, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createExec } from './exec.js';
import { acquirePidLock, processStartTime } from './pid-lock.js';
import { pruneCache } from './cache-pruner.js';
import { restoreOrBuildLayer, type LayerRequest } from './tree-layer-store.js';

const exec = createExec({ onLine: () => {} });

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'layer-store-'));
}

/** A request whose build writes a small tree (a file, a 0600 file, a symlink) and counts its calls. */
function request(dir: string, treeDir: string, counter: { builds: number }, logs: string[] = [], delayMs = 0): LayerRequest {
  return {
    dir, key: 'a'.repeat(64), inputs: { release: 'test' }, treeDir, exec, log: (l) => logs.push(l),
    removeTree: (t) => rm(t, { recursive: true, force: true }),
    build: async (t) => {
      counter.builds++;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      await mkdir(join(t, 'etc'), { recursive: true });
      await writeFile(join(t, 'etc/os-release'), 'ID=test\n');
      await writeFile(join(t, 'etc/secret'), 'x', { mode: 0o600 });
      await symlink('os-release', join(t, 'etc/link'));
    },
  };
}

async function assertTree(t: string): Promise<void> {
  assert.equal(await readFile(join(t, 'etc/os-release'), 'utf8'), 'ID=test\n');
  assert.equal((await stat(join(t, 'etc/secret'))).mode & 0o777, 0o600);
  assert.equal(await readlink(join(t, 'etc/link')), 'os-release');
}

test('a layer is built once, stored with its checksum, then restored without building', async () => {
  const root = await scratch();
  try {
    const counter = { builds: 0 };
    const first = await restoreOrBuildLayer(request(join(root, 'layers'), join(root, 't1'), counter));
    assert.equal(first.source, 'built');
    assert.equal(first.stored, true);
    assert.match(first.meta.sha256, /^[0-9a-f]{64}$/);
    const second = await restoreOrBuildLayer(request(join(root, 'layers'), join(root, 't2'), counter));
    assert.equal(second.source, 'cache');
    assert.equal(counter.builds, 1);
    assert.equal(second.meta.sha256, first.meta.sha256);
    await assertTree(join(root, 't2'));
    assert.deepEqual((await readdir(join(root, 'layers'))).sort(), [`${'a'.repeat(64)}.json`, `${'a'.repeat(64)}.tar.zst`]);
  } finally { await rm(root, { recursive: true, force: true }); }
});

test('a corrupted, truncated or half-recorded layer is detected and rebuilt, never used', async () => {
  const root = await scratch();
  try {
    const counter = { builds: 0 };
    const layers = join(root, 'layers');
    const tar = join(layers, `${'a'.repeat(64)}.tar.zst`);
    await restoreOrBuildLayer(request(layers, join(root, 't0'), counter));

    // Same size, one byte flipped in the middle: only the checksum can tell.
    const fh = await open(tar, 'r+');
    const size = (await fh.stat()).size;
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, Math.floor(size / 2));
    b[0] ^= 0xff;
    await fh.write(b, 0, 1, Math.floor(size / 2));
    await fh.close();
    const logs: string[] = [];
    const r1 = await restoreOrBuildLayer(request(layers, join(root, 't1'), counter, logs));
    assert.equal(r1.source, 'built');
    assert.match(r1.rejected ?? '', /checksum .* was stored \(corrupted\)/);
    assert.ok(logs.some((l) => /not usable: its checksum/.test(l)));
    await assertTree(join(root, 't1'));

    await truncate(tar, 100);
    const r2 = await restoreOrBuildLayer(request(layers, join(root, 't2'), counter));
    assert.equal(r2.source, 'built');
    assert.match(r2.rejected ?? '', /truncated/);

    // The pruner removed the tar but left the metadata.
    await rm(tar);
    const r3 = await restoreOrBuildLayer(request(layers, join(root, 't3'), counter));
    assert.match(r3.rejected ?? '', /missing/);
    assert.equal(counter.builds, 4);
    const r4 = await restoreOrBuildLayer(request(layers, join(root, 't4'), counter));
    assert.equal(r4.source, 'cache');
    await assertTree(join(root, 't4'));
  } finally { await rm(root, { recursive: true, force: true }); }
});

test('two builds wanting the same missing layer build it once: the second waits, then restores it', async () => {
  const root = await scratch();
  try {
    const counter = { builds: 0 };
    const logs: string[] = [];
    const layers = join(root, 'layers');
    const [a, b] = await Promise.all([
      restoreOrBuildLayer(request(layers, join(root, 'ta'), counter, logs, 1500)),
      new Promise((r) => setTimeout(r, 200)).then(() => restoreOrBuildLayer(request(layers, join(root, 'tb'), counter, logs, 1500))),
    ]);
    assert.equal(counter.builds, 1);
    assert.deepEqual([a.source, b.source], ['built', 'cache']);
    assert.ok(logs.some((l) => /being built by another build: waiting/.test(l)));
    await assertTree(join(root, 'tb'));
    assert.ok(!(await readdir(layers)).some((n) => n.endsWith('.lock')), 'the lock is released');
  } finally { await rm(root, { recursive: true, force: true }); }
});

test('a lock left by a crashed holder is taken over; a live holder is waited for; a cancel stops the wait', async () => {
  const root = await scratch();
  try {
    const lock = join(root, 'x.lock');
    // A holder that has exited: its PID is gone (or reused with another start time).
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    await mkdir(lock);
    await writeFile(join(lock, 'owner'), `${dead} 12345\n`);
    const taken = await acquirePidLock(lock, { pollMs: 50 });
    assert.equal((await readFile(join(lock, 'owner'), 'utf8')).trim(), `${process.pid} ${await processStartTime(process.pid)}`);

    // Held by a live process (this one): a second acquirer waits until it is released.
    let waited = false;
    const second = acquirePidLock(lock, { pollMs: 50, onWait: () => { waited = true; } });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(waited, true);
    await taken.release();
    const got = await second;

    const ac = new AbortController();
    const third = acquirePidLock(lock, { pollMs: 50, signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await assert.rejects(third, (e: { code?: string }) => e.code === 'BUILD_CANCELLED');

    // The cache pruner never deletes a held lock's owner file, even when over its limit.
    await writeFile(join(root, 'big.tar.zst'), Buffer.alloc(64 * 1024, 1));
    await pruneCache(root, 0);
    assert.ok((await readdir(lock)).includes('owner'));
    assert.ok(!(await readdir(root)).includes('big.tar.zst'));
    await got.release();
  } finally { await rm(root, { recursive: true, force: true }); }
});
