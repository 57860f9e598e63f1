import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { groupMembers, ProcessGroupLedger } from './process-groups.js';

/** A process group like a build tool's: a leader and children of its own. */
function spawnGroup(script: string): number {
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

test('killLeftovers kills each recorded group whole (leader and children) and clears the ledger', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pg-ledger-'));
  const ledger = new ProcessGroupLedger(dir);
  const pgid = spawnGroup('sleep 300 & sleep 300 & wait');
  try {
    ledger.record(pgid);
    for (let i = 0; (await groupMembers(pgid)).length < 3 && i < 200; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await groupMembers(pgid)).length, 3);
    // A new ledger over the same directory: what the next daemon start sees.
    const killed = await new ProcessGroupLedger(dir).killLeftovers();
    assert.deepEqual(killed, [pgid]);
    assert.deepEqual(await groupMembers(pgid), []);
    assert.deepEqual(await readdir(dir), []);
  } finally {
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
    await rm(dir, { recursive: true, force: true });
  }
});

test('a recorded id now leading an unrelated group (different start time) is left alone', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pg-ledger-'));
  const pgid = spawnGroup('sleep 300');
  try {
    await writeFile(join(dir, String(pgid)), '1'); // start time of the "old" tool, not this process
    assert.deepEqual(await new ProcessGroupLedger(dir).killLeftovers(), []);
    assert.ok((await groupMembers(pgid)).includes(pgid), 'the unrelated process still runs');
    assert.deepEqual(await readdir(dir), []);
  } finally {
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
    await rm(dir, { recursive: true, force: true });
  }
});
