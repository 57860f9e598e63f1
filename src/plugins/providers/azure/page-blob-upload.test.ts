import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PUT_PAGE, PAGE, splitRuns } from './page-blob-upload.js';

test('splitRuns: 512-byte aligned runs of non-zero pages, small zero gaps merged, large ones split', () => {
  const block = Buffer.alloc(MAX_PUT_PAGE);
  block[5] = 1; // page 0
  block[3 * PAGE + 7] = 2; // page 3: gap of 2 pages (1 KiB) is merged
  block[1024 * 1024] = 3; // 1 MiB in: far away, a run of its own
  block[MAX_PUT_PAGE - 1] = 4; // the last page
  const runs = splitRuns(8 * MAX_PUT_PAGE, block);
  assert.deepEqual(runs.map((r) => [r.offset - 8 * MAX_PUT_PAGE, r.data.length]), [[0, 4 * PAGE], [1024 * 1024, PAGE], [MAX_PUT_PAGE - PAGE, PAGE]]);
  for (const r of runs) assert.ok(r.offset % PAGE === 0 && r.data.length % PAGE === 0 && r.data.length <= MAX_PUT_PAGE);
  assert.equal(runs[0].data[3 * PAGE + 7], 2, 'runs are views of the block');
  assert.deepEqual(splitRuns(0, Buffer.alloc(MAX_PUT_PAGE)), []);
  const full = splitRuns(0, Buffer.alloc(MAX_PUT_PAGE, 9));
  assert.deepEqual(full.map((r) => [r.offset, r.data.length]), [[0, MAX_PUT_PAGE]]);
});
