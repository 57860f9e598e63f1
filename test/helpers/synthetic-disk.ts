import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runTool } from '../../src/platform/exec.js';

export interface SyntheticDisk {
  /** Raw disk: GPT with a 1 MiB BIOS-boot partition and an ext4 root partition. */
  path: string;
  /** Byte offset of the ext4 root partition. */
  rootOffset: number;
  sizeBytes: number;
}

const SECTOR = 512;
const ROOT_START = 4096;

/**
 * A small real disk, loop-free (sfdisk + mkfs.ext4 -E offset -d): enough for format converters and
 * in-image edits, and fast (well under a second). `/etc/cloud` marks "cloud-init installed".
 */
export async function makeSyntheticDisk(dir: string, opts: { sizeMiB?: number; cloudInit?: boolean; blobMiB?: number } = {}): Promise<SyntheticDisk> {
  const sizeBytes = (opts.sizeMiB ?? 64) * 1024 * 1024;
  const tree = join(dir, 'tree');
  await mkdir(join(tree, 'etc/udev/rules.d'), { recursive: true });
  await mkdir(join(tree, 'usr/share'), { recursive: true });
  await writeFile(join(tree, 'etc/hostname'), 'synthetic\n');
  await writeFile(join(tree, 'etc/udev/rules.d/70-persistent-net.rules'), 'SUBSYSTEM=="net", NAME="eth0"\n');
  // Incompressible data so compressed formats have real clusters to store.
  await writeFile(join(tree, 'usr/share/blob.bin'), randomBytes((opts.blobMiB ?? 2) * 1024 * 1024));
  if (opts.cloudInit ?? true) await mkdir(join(tree, 'etc/cloud/cloud.cfg.d'), { recursive: true });
  const path = join(dir, 'disk.raw');
  await runTool(['truncate', '-s', String(sizeBytes), path]);
  const table = [
    'label: gpt', 'unit: sectors', 'first-lba: 2048',
    'start=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649, name="bios"',
    `start=${ROOT_START}, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="root"`,
  ].join('\n') + '\n';
  await runTool(['sfdisk', '-q', path], { input: table });
  const rootSectors = sizeBytes / SECTOR - ROOT_START - 34;
  const rootOffset = ROOT_START * SECTOR;
  await runTool(['mkfs.ext4', '-q', '-F', '-L', 'rootfs', '-E', `offset=${rootOffset}`, '-d', tree, path, `${Math.floor(rootSectors / 2)}k`]);
  return { path, rootOffset, sizeBytes };
}
