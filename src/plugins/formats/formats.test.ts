import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createExec, runTool } from '../../platform/exec.js';
import { makeSyntheticDisk, type SyntheticDisk } from '../../../test/helpers/synthetic-disk.js';
import type { ConvertRequest } from './converter.js';
import { convertToRaw } from './raw.js';
import { convertToQcow2 } from './qcow2.js';
import { convertToVmdk } from './vmdk.js';
import { convertToVhd } from './vhd.js';
import { convertToVhdx } from './vhdx.js';
import { convertToVdi } from './vdi.js';
import { convertToGceTar } from './gce-tar.js';
import { qemuImgInfo } from './qemu-img.js';

const exec = createExec({ onLine: () => {} });
let dir: string;
let disk: SyntheticDisk;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'formats-test-'));
  disk = await makeSyntheticDisk(dir);
});
after(async () => { await rm(dir, { recursive: true, force: true }); });

function req<O>(output: string, options: O, input = disk.path): ConvertRequest<O> {
  return { input, output, options, exec, signal: new AbortController().signal, log: () => {} };
}

/** Same guest-visible contents as the source raw disk (exit 0 of `qemu-img compare`). */
async function assertSameContents(path: string, format: string, source = disk.path) {
  await runTool(['qemu-img', 'compare', '-q', '-f', 'raw', '-F', format, source, path]);
}

const checkable = [
  { name: 'qcow2', run: convertToQcow2, options: {}, fmt: 'qcow2' },
  { name: 'qcow2 compressed zlib', run: convertToQcow2, options: { compressed: true }, fmt: 'qcow2' },
  { name: 'qcow2 compressed zstd', run: convertToQcow2, options: { compressed: true, compression: 'zstd' as const }, fmt: 'qcow2' },
  { name: 'vmdk streamOptimized', run: convertToVmdk, options: {}, fmt: 'vmdk' },
  { name: 'vmdk monolithicSparse', run: convertToVmdk, options: { subformat: 'monolithicSparse' as const }, fmt: 'vmdk' },
  { name: 'vhdx', run: convertToVhdx, options: {}, fmt: 'vhdx' },
  { name: 'vdi', run: convertToVdi, options: {}, fmt: 'vdi' },
] as const;

for (const c of checkable) {
  test(`converts raw to ${c.name}: right format and size, consistent, same contents`, async () => {
    const out = join(dir, `${c.name.replace(/ /g, '-')}.img`);
    const result = await (c.run as (r: ConvertRequest<object>) => ReturnType<typeof convertToQcow2>)(req(out, c.options));
    assert.equal(result.format, c.fmt);
    assert.equal(result.virtualSize, disk.sizeBytes);
    const info = await qemuImgInfo(exec, out, c.fmt);
    assert.equal(info.format, c.fmt);
    assert.equal(info.virtualSize, disk.sizeBytes);
    await runTool(['qemu-img', 'check', '-q', '-f', c.fmt, out]);
    await assertSameContents(out, c.fmt);
  });
}

test('qcow2 options land in the image: compat 1.1, zstd compression type', async () => {
  const out = join(dir, 'opts.qcow2');
  await convertToQcow2(req(out, { compressed: true, compression: 'zstd' }));
  const { stdout } = await runTool(['qemu-img', 'info', '--output=json', '-f', 'qcow2', out]);
  const data = JSON.parse(stdout)['format-specific'].data;
  assert.equal(data.compat, '1.1');
  assert.equal(data['compression-type'], 'zstd');
});

test('vmdk streamOptimized carries the lsilogic adapter and the stream subformat', async () => {
  const out = join(dir, 'desc.vmdk');
  await convertToVmdk(req(out, {}));
  const { stdout } = await runTool(['qemu-img', 'info', '--output=json', '-f', 'vmdk', out]);
  const data = JSON.parse(stdout)['format-specific'].data;
  assert.equal(data['create-type'], 'streamOptimized');
  const head = (await readFile(out)).subarray(0, 4096).toString('latin1');
  assert.match(head, /ddb\.adapterType = "lsilogic"/);
});

test('raw copy is sparse and identical', async () => {
  const out = join(dir, 'copy.raw');
  const result = await convertToRaw(req(out, {}));
  assert.equal(result.virtualSize, disk.sizeBytes);
  const st = await stat(out);
  assert.equal(st.size, disk.sizeBytes);
  assert.ok(st.blocks * 512 < disk.sizeBytes / 2, `expected a sparse copy, ${st.blocks * 512} bytes allocated`);
  await assertSameContents(out, 'raw');
});

test('fixed vhd: exact size with force_size, footer, sparse-friendly', async () => {
  const out = join(dir, 'fixed.vhd');
  const result = await convertToVhd(req(out, {}));
  assert.equal(result.format, 'vpc');
  assert.equal(result.virtualSize, disk.sizeBytes);
  assert.equal((await stat(out)).size, disk.sizeBytes + 512);
  const footer = (await readFile(out)).subarray(disk.sizeBytes, disk.sizeBytes + 8).toString('latin1');
  assert.equal(footer, 'conectix');
  await assertSameContents(out, 'vpc');
});

test('vhd rounds a size that is not a whole MiB up to the next MiB', async () => {
  const odd = join(dir, 'odd.raw');
  await writeFile(odd, Buffer.alloc(3 * 1024 * 1024 + 512, 7));
  const out = join(dir, 'odd.vhd');
  const result = await convertToVhd(req(out, {}, odd));
  assert.equal(result.virtualSize, 4 * 1024 * 1024);
  await assertSameContents(out, 'vpc', odd); // the padding reads as zeros
  assert.deepEqual((await readdir(dir)).filter((n) => n.includes('partial')), []);
});

test('dynamic vhd for Hyper-V', async () => {
  const out = join(dir, 'dyn.vhd');
  await convertToVhd(req(out, { subformat: 'dynamic' }));
  const { stdout } = await runTool(['qemu-img', 'info', '--output=json', '-f', 'vpc', out]);
  assert.ok(JSON.parse(stdout)['actual-size'] < disk.sizeBytes);
  await assertSameContents(out, 'vpc');
});

test('gce tar holds one GNU-sparse disk.raw that extracts to the same bytes', async () => {
  const out = join(dir, 'gce.tar.gz');
  const result = await convertToGceTar(req(out, {}));
  assert.equal(result.format, 'tar.gz');
  const tarBytes = gunzipSync(await readFile(out));
  const header = tarBytes.subarray(0, 512);
  assert.equal(header.subarray(0, 8).toString('latin1'), 'disk.raw');
  assert.equal(String.fromCharCode(header[156]), 'S', 'oldgnu sparse member');
  assert.equal(header.subarray(257, 265).toString('latin1'), 'ustar  \0', 'GNU magic');
  const { stdout } = await runTool(['tar', '-tzf', out]);
  assert.deepEqual(stdout.trim().split('\n'), ['disk.raw']);
  const x = join(dir, 'gce-x');
  await runTool(['mkdir', x]);
  await runTool(['tar', '-xzf', out, '-C', x]);
  await assertSameContents(join(x, 'disk.raw'), 'raw');
});

test('a failed conversion leaves neither the output nor a partial file', async () => {
  const sub = await mkdtemp(join(dir, 'fail-'));
  const bogus = join(sub, 'missing.raw');
  await assert.rejects(convertToQcow2(req(join(sub, 'out.qcow2'), {}, bogus)), { code: 'TOOL_FAILED' });
  await assert.rejects(convertToVhd(req(join(sub, 'out.vhd'), {}, bogus)));
  await assert.rejects(convertToGceTar(req(join(sub, 'out.tar.gz'), {}, bogus)));
  assert.deepEqual(await readdir(sub), []);
});

test('a cancelled conversion rejects with BUILD_CANCELLED and cleans up', async () => {
  const sub = await mkdtemp(join(dir, 'cancel-'));
  const ac = new AbortController();
  ac.abort();
  const cancelExec = createExec({ signal: ac.signal, onLine: () => {} });
  await assert.rejects(
    convertToVmdk({ input: disk.path, output: join(sub, 'x.vmdk'), options: {}, exec: cancelExec, signal: ac.signal, log: () => {} }),
    { code: 'BUILD_CANCELLED' },
  );
  assert.deepEqual(await readdir(sub), []);
});
