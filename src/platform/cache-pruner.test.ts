import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pruneCache } from './cache-pruner.js';

test('pruneCache removes the least recently used files until under the limit', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cache-'));
  try {
    await mkdir(join(dir, 'archives'));
    const names = ['old.deb', 'mid.deb', 'new.deb'];
    for (const [i, name] of names.entries()) {
      const p = join(dir, 'archives', name);
      await writeFile(p, Buffer.alloc(64 * 1024, 1));
      const t = new Date(Date.UTC(2026, 0, 1 + i));
      await utimes(p, t, t);
    }
    const r = await pruneCache(dir, 150 * 1024);
    assert.equal(r.removedFiles, 1);
    assert.deepEqual((await readdir(join(dir, 'archives'))).sort(), ['mid.deb', 'new.deb']);
    assert.equal((await pruneCache(dir, 10 * 1024 * 1024)).removedFiles, 0);
    await pruneCache(dir, 0);
    assert.deepEqual(await readdir(join(dir, 'archives')), []);
  } finally { await rm(dir, { recursive: true, force: true }); }
});
