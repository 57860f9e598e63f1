import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../../../platform/exec.js';
import { patchGrubBiosImages, embedGrubBios } from './grub-bios-embed.js';
import { grubMkimageArgv, GRUB_I386_PC_DIR } from './install-grub.js';
import { earlyGrubConfig } from './grub-config.js';

// Real GRUB files from /usr/lib/grub/i386-pc (grub-pc-bin) and a real core.img from grub-mkimage.
test('embeds real boot.img and core.img the way grub-bios-setup patches them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'grub-embed-'));
  try {
    const cfg = join(dir, 'early.cfg');
    const coreImg = join(dir, 'core.img');
    await writeFile(cfg, earlyGrubConfig('0b1c7a4e-5f77-4c1e-9d3c-2d9a5e1f3b11'));
    await runTool(grubMkimageArgv(coreImg, cfg));
    const boot = await readFile(join(GRUB_I386_PC_DIR, 'boot.img'));
    const core = await readFile(coreImg);
    const coreLba = 2048;

    const patched = patchGrubBiosImages(boot, core, coreLba);
    assert.equal(patched.bootCode.length, 440);
    assert.equal(patched.bootCode.readBigUInt64LE(0x5c), 2048n);
    assert.deepEqual([...patched.bootCode.subarray(0x66, 0x68)], [0x90, 0x90]);
    const sectors = Math.ceil(core.length / 512);
    assert.equal(patched.core.readBigUInt64LE(0x200 - 12), 2049n);
    assert.equal(patched.core.readUInt16LE(0x200 - 4), sectors - 1);
    // The load segment and everything else in core.img is untouched.
    assert.equal(patched.core.readUInt16LE(0x200 - 2), core.readUInt16LE(0x200 - 2));
    assert.deepEqual(patched.core.subarray(0x200), core.subarray(0x200));
    // Inputs are not modified.
    assert.notEqual(boot[0x66], 0x90);

    // In a disk: MBR boot code replaced, the protective partition table and signature kept.
    const disk = join(dir, 'disk.raw');
    const fh = await open(disk, 'w');
    await fh.truncate(4 * 1024 * 1024);
    const mbrTail = Buffer.alloc(72, 0xab);
    mbrTail.writeUInt16BE(0x55aa, 70);
    await fh.write(mbrTail, 0, 72, 440);
    await fh.close();
    await embedGrubBios(disk, join(GRUB_I386_PC_DIR, 'boot.img'), coreImg, coreLba, 1024 * 1024);
    const written = await readFile(disk);
    assert.deepEqual(written.subarray(0, 440), patched.bootCode);
    assert.deepEqual(written.subarray(440, 512), mbrTail);
    assert.deepEqual(written.subarray(coreLba * 512, coreLba * 512 + core.length), patched.core);

    await assert.rejects(embedGrubBios(disk, join(GRUB_I386_PC_DIR, 'boot.img'), coreImg, coreLba, 1024), /BIOS boot partition holds only 1024/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('rejects a boot.img of the wrong size', () => {
  assert.throws(() => patchGrubBiosImages(Buffer.alloc(100), Buffer.alloc(1024), 2048), /512 bytes/);
});
