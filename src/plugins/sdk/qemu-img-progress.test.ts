import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { runTool } from '../../platform/exec.js';
import { parseQemuImgProgress, qemuImgProgressOptions } from './qemu-img-progress.js';

test('qemu-img -p progress lines (captured: redrawn with \\r, one \\n at the end) parse to fractions', async () => {
  const raw = await readFile(new URL('../../../test/fixtures/tool-output/qemu-img-convert-p.txt', import.meta.url), 'utf8');
  const values = raw.split(/\r\n|\r|\n/).map(parseQemuImgProgress).filter((f) => f !== null);
  assert.deepEqual(values, [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1, 1]);
  assert.equal(parseQemuImgProgress('qemu-img: Could not open'), null);
});

test('a real qemu-img convert -p through runTool reports rising fractions and logs only its other lines', async (t) => {
  const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp('/tmp/qemu-img-progress-'));
  t.after(() => import('node:fs/promises').then((fs) => fs.rm(dir, { recursive: true, force: true })));
  await runTool(['qemu-img', 'create', '-q', '-f', 'raw', `${dir}/in.raw`, '32M']);
  await runTool(['dd', 'if=/dev/urandom', `of=${dir}/in.raw`, 'bs=1M', 'count=8', 'conv=notrunc', 'status=none']);
  const fractions: number[] = [];
  const logged: string[] = [];
  await runTool(['qemu-img', 'convert', '-p', '-f', 'raw', '-O', 'qcow2', `${dir}/in.raw`, `${dir}/out.qcow2`],
    qemuImgProgressOptions((f) => fractions.push(f), (l) => logged.push(l)));
  assert.ok(fractions.length >= 2, JSON.stringify(fractions));
  assert.equal(fractions.at(-1), 1);
  for (let i = 1; i < fractions.length; i++) assert.ok(fractions[i] > fractions[i - 1]);
  assert.deepEqual(logged, []);
});
