import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../../../platform/exec.js';
import { AppError } from '../../../domain/errors.js';
import { planDiskLayout, roundDiskBytes, sfdiskScript, GPT_TYPE } from './disk-layout.js';
import { makeRootFs, mkfsArgv, requiredRootFsBytes } from './make-root-fs.js';
import { MIN_DISK_BYTES } from '../../../domain/template/disk-size.js';

test('layout: BIOS boot, 128 MiB ESP and a MiB-aligned root ending before the backup GPT', () => {
  const l = planDiskLayout(10 * 1000 * 1000 * 1000);
  assert.equal(l.diskBytes, roundDiskBytes(10e9));
  assert.equal(l.diskBytes % (1024 * 1024), 0);
  assert.deepEqual(l.bios, { start: 2048, size: 2048 });
  assert.deepEqual(l.esp, { start: 4096, size: 262144 });
  assert.equal(l.root.start, 266240);
  assert.equal(l.root.size % 2048, 0);
  assert.ok((l.root.start + l.root.size) * 512 <= l.diskBytes - 33 * 512);
  assert.throws(() => planDiskLayout(100 * 1024 * 1024), /no room for a root filesystem/);
  // The template's minimum (checked at POST) is exactly the smallest disk this layout accepts.
  assert.equal(planDiskLayout(MIN_DISK_BYTES).diskBytes, MIN_DISK_BYTES);
  assert.throws(() => planDiskLayout(MIN_DISK_BYTES - 1024 * 1024), /no room for a root filesystem/);
});

test('sfdisk really writes the layout to a sparse file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'layout-'));
  try {
    const l = planDiskLayout(512 * 1024 * 1024);
    const disk = join(dir, 'disk.raw');
    const fh = await open(disk, 'w');
    await fh.truncate(l.diskBytes);
    await fh.close();
    await runTool(['sfdisk', '--quiet', '--no-reread', '--no-tell-kernel', disk], { input: sfdiskScript(l) });
    const table = JSON.parse((await runTool(['sfdisk', '-J', disk])).stdout).partitiontable;
    assert.equal(table.label, 'gpt');
    assert.deepEqual(table.partitions.map((p: { start: number; size: number; type: string }) => [p.start, p.size, p.type]), [
      [l.bios.start, l.bios.size, GPT_TYPE.biosBoot], [l.esp.start, l.esp.size, GPT_TYPE.esp], [l.root.start, l.root.size, GPT_TYPE.linuxRootX86_64],
    ]);

    // A tree that fits goes into the partition as ext4 with the given UUID...
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'etc'), { recursive: true });
    await writeFile(join(tree, 'etc/hello'), 'hi\n');
    const uuid = '3e6f1b2a-8c47-4d6e-9a51-0f2b7c9d4e13';
    await makeRootFs((argv, o) => runTool(argv, o), disk, l, tree, uuid);
    const probe = await runTool(['blkid', '-p', '-O', String(l.root.start * 512), '-o', 'export', disk]);
    assert.match(probe.stdout, new RegExp(`UUID=${uuid}`));
    assert.match(probe.stdout, /TYPE=ext4/);

    // ...and a tree too big for the disk fails before mkfs, naming both sizes.
    await writeFile(join(tree, 'big'), Buffer.alloc(400 * 1024 * 1024, 1));
    await assert.rejects(makeRootFs((argv, o) => runTool(argv, o), disk, l, tree, uuid), (e: unknown) =>
      e instanceof AppError && /disk is too small: the root filesystem needs about \d+ MiB but the 512 MiB disk leaves \d+ MiB/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('mkfs argv writes at the root partition offset', () => {
  const l = planDiskLayout(2 * 1024 ** 3);
  const argv = mkfsArgv('/d.raw', l, '/tree', 'u');
  assert.deepEqual(argv.slice(0, 7), ['mkfs.ext4', '-q', '-F', '-L', 'rootfs', '-U', 'u']);
  assert.ok(argv.includes(`offset=${266240 * 512}`));
  assert.equal(argv.at(-1), `${(l.root.size * 512) / 1024}k`);
  assert.ok(requiredRootFsBytes({ bytes: 700e6, inodes: 30000 }, 2e9) > 770e6);
});
