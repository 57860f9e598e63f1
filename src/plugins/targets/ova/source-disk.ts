import { open, stat } from 'node:fs/promises';
import type { Exec } from '../../sdk/index.js';
import { writeAtomically } from '../../formats/atomic-output.js';
import { qemuImgInfo } from '../../formats/qemu-img.js';

export type SourceDiskFormat = 'qcow2' | 'raw' | 'vmdk' | 'vhdx' | 'vpc';

/**
 * Identifies a target image body this factory wrote, by magic bytes only (never by qemu-img
 * probing): qcow2 "QFI\xfb", VMDK sparse "KDMV", VHDX "vhdxfile", dynamic VHD "conectix" at 0;
 * anything else written by the rhevm target is raw.
 */
export async function sourceDiskFormat(path: string): Promise<SourceDiskFormat> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    await fh.read(head, 0, 8, 0);
    if (head.subarray(0, 4).equals(Buffer.from([0x51, 0x46, 0x49, 0xfb]))) return 'qcow2';
    if (head.subarray(0, 4).toString('latin1') === 'KDMV') return 'vmdk';
    if (head.toString('latin1') === 'vhdxfile') return 'vhdx';
    if (head.toString('latin1') === 'conectix') return 'vpc';
    const size = (await fh.stat()).size;
    const footer = Buffer.alloc(8);
    if (size >= 512) await fh.read(footer, 0, 8, size - 512);
    return footer.toString('latin1') === 'conectix' ? 'vpc' : 'raw';
  } finally {
    await fh.close();
  }
}

/** The `createType` of a sparse VMDK (its embedded descriptor sits in the first 64 KiB). */
export async function vmdkCreateType(path: string): Promise<string | null> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return /createType="(\w+)"/.exec(buf.subarray(0, bytesRead).toString('latin1'))?.[1] ?? null;
  } finally {
    await fh.close();
  }
}

/** Re-encodes a disk (of a known format) to qcow2 or another VMDK subformat. */
export async function reencode(exec: Exec, input: string, inFormat: SourceDiskFormat, output: string,
  to: { format: 'qcow2' } | { format: 'vmdk'; subformat: 'streamOptimized' | 'monolithicSparse' }): Promise<void> {
  const opts = to.format === 'qcow2' ? 'compat=1.1' : `subformat=${to.subformat},adapter_type=lsilogic,hwversion=6`;
  await writeAtomically(output, (tmp) => exec(['qemu-img', 'convert', '-f', inFormat, '-O', to.format, '-o', opts, input, tmp]));
}

export async function diskFacts(exec: Exec, path: string, format: SourceDiskFormat): Promise<{ virtualSize: number; fileSize: number }> {
  return { virtualSize: (await qemuImgInfo(exec, path, format)).virtualSize, fileSize: (await stat(path)).size };
}
