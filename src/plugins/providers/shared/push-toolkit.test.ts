import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExec } from '../../../platform/exec.js';
import { forEachBounded } from './bounded-parallel.js';
import { ByteProgress } from './byte-progress.js';
import { dataExtents, extentBytes, nonZeroBlocks } from './data-blocks.js';
import { providerFailure, scrub } from './provider-failure.js';
import { isTransientError, withRetry } from './retry.js';

test('forEachBounded keeps at most `limit` calls in flight, pulls lazily and stops at the first failure', async () => {
  let inFlight = 0;
  let peak = 0;
  let pulled = 0;
  async function* items() { for (let i = 0; i < 50; i++) { pulled++; yield i; } }
  await forEachBounded(items(), 4, async () => {
    inFlight++; peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, 2));
    inFlight--;
  });
  assert.equal(peak, 4);
  assert.equal(pulled, 50);
  pulled = 0;
  await assert.rejects(forEachBounded(items(), 2, async (i) => { if (i === 3) throw new Error('boom'); }), /boom/);
  assert.ok(pulled < 50, `pulled ${pulled} items after a failure`);
});

test('withRetry retries transient errors with backoff and gives up on permanent ones', async () => {
  let calls = 0;
  const result = await withRetry(async () => {
    calls++;
    if (calls < 3) throw Object.assign(new Error('slow down'), { $metadata: { httpStatusCode: 503 } });
    return 'ok';
  }, { baseDelayMs: 1 });
  assert.equal(result, 'ok');
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(withRetry(async () => { calls++; throw Object.assign(new Error('denied'), { statusCode: 403 }); }, { baseDelayMs: 1 }), /denied/);
  assert.equal(calls, 1);
  assert.equal(isTransientError(Object.assign(new Error('x'), { code: 'ECONNRESET' })), true);
  assert.equal(isTransientError(Object.assign(new Error('x'), { name: 'ThrottlingException' })), true);
  assert.equal(isTransientError(new Error('plain')), false);
});

test('nonZeroBlocks reads only data extents of a sparse file and skips zero blocks', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'blocks-'));
  try {
    const path = join(dir, 'disk.raw');
    const block = 512 * 1024;
    const fh = await open(path, 'w');
    await fh.truncate(64 * block); // 32 MiB, all hole
    await fh.write(Buffer.alloc(100, 1), 0, 100, 3 * block + 10);
    await fh.write(Buffer.alloc(block, 0), 0, block, 10 * block); // allocated but zero
    await fh.write(Buffer.alloc(10, 2), 0, 10, 63 * block + 5);
    await fh.close();
    const extents = await dataExtents(createExec({}), path);
    assert.ok(extentBytes(extents) <= 3 * 1024 * 1024, `extents cover ${extentBytes(extents)} bytes`);
    const blocks = [];
    for await (const b of nonZeroBlocks(path, block, extents)) blocks.push(b);
    assert.deepEqual(blocks.map((b) => b.index), [3, 63]);
    assert.equal(blocks[0].data[10], 1);
    assert.equal(blocks[1].data[5], 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('ByteProgress reports whole percents from bytes sent; failures never quote secrets', () => {
  const seen: number[] = [];
  const p = new ByteProgress(1000, (pct) => seen.push(pct), 'Uploading', { from: 0, to: 100 });
  for (let i = 0; i < 10; i++) p.add(100);
  assert.deepEqual(seen, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assert.equal(scrub('key s3cr3t/+ in s3cr3t%2F%2B', ['s3cr3t/+']), 'key REDACTED in REDACTED');
  const e = providerFailure('EC2', Object.assign(new Error('The key AKIA-SECRET-VALUE is wrong'), { name: 'AuthFailure', $metadata: { httpStatusCode: 401 } }), ['AKIA-SECRET-VALUE']);
  assert.equal(e.code, 'PROVIDER_FAILED');
  assert.equal(e.message, 'EC2 (HTTP 401): AuthFailure: The key REDACTED is wrong');
});
