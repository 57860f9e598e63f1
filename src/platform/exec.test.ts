import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTool } from './exec.js';

test('runTool: output, exit codes with the tool\'s own message, missing tools, niceness', async () => {
  const ok = await runTool(['sh', '-c', 'echo out; echo err >&2']);
  assert.equal(ok.stdout, 'out\n');
  await assert.rejects(runTool(['sh', '-c', 'echo "E: Unable to locate package zz" >&2; exit 100']), /sh failed \(exit 100\): E: Unable to locate package zz/);
  await assert.rejects(runTool(['no-such-tool-xyz']), (e: Error & { code?: string }) => e.code === 'TOOL_MISSING');
  await assert.rejects(runTool(['no-such-tool-xyz'], { niceness: 10 }), (e: Error & { code?: string }) => e.code === 'TOOL_MISSING');
  const nice = await runTool(['sh', '-c', 'cut -d" " -f19 /proc/self/stat'], { niceness: 10 });
  assert.equal(nice.stdout.trim(), '10');
});

test('runTool: abort kills the whole process group', async () => {
  const controller = new AbortController();
  const started = Date.now();
  const p = runTool(['sh', '-c', 'sleep 30 & sleep 30; wait'], {}, controller.signal);
  setTimeout(() => controller.abort(), 200);
  await assert.rejects(p, (e: Error & { code?: string }) => e.code === 'BUILD_CANCELLED');
  assert.ok(Date.now() - started < 10_000);
});

test('runTool: a lone \\r ends a line (progress meters), \\r\\n is one line break', async () => {
  const lines: string[] = [];
  await runTool(['printf', '  (0.00/100%%)\\r  (50.00/100%%)\\r  (100.00/100%%)\\r\\nnext\\r\\nlast\\n'], { onLine: (l) => lines.push(l) });
  assert.deepEqual(lines, ['  (0.00/100%)', '  (50.00/100%)', '  (100.00/100%)', 'next', 'last']);
});
