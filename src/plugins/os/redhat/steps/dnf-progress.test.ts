import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { DnfRunProgress, type DnfProgress } from './dnf-progress.js';

// Real output of dnf 4.14 (not on a terminal) installing @core and extra-tool from the rpm
// repositories test/redhat/local-rpm-repo.ts builds, captured on this machine.
test('a real dnf install moves through downloads, the transaction and verification to 100%, never back', async () => {
  const text = await readFile(new URL('../../../../../test/fixtures/tool-output/dnf-install-local-repo.txt', import.meta.url), 'utf8');
  const t = new DnfRunProgress('Installing @core');
  const seen = text.split('\n').map((l) => t.feed(l)).filter((p): p is DnfProgress => p !== null);
  assert.deepEqual(seen.map((s) => [Math.round(s.fraction * 100), s.activity.split(': ')[1]]), [
    [10, 'downloading'], [20, 'downloading'], [30, 'downloading'],
    [50, 'installing'], [70, 'installing'], [90, 'installing'],
    [93, 'verifying'], [97, 'verifying'], [100, 'verifying'],
  ]);
  assert.equal(t.feed('  Preparing        :                                                        1/1 '), null);
  assert.equal(t.feed('Complete!'), null);
});
