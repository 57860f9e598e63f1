/**
 * Assembles the raw disk from a finished tree, loop-free: a sparse file, the GPT of disk-layout,
 * the tree as ext4 in the root partition, then GRUB for BIOS and UEFI. Without a kernel in the
 * tree there is nothing to boot, so the OS plugin may ask for the disk without a bootloader.
 */
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exec } from '../../sdk/exec.js';
import { sfdiskScript, type DiskLayout } from './disk-layout.js';
import { installGrubBios, installGrubEfi } from './install-grub.js';
import { makeRootFs } from './make-root-fs.js';

/** What assembleDisk and the rootfs tar need on PATH (part of every OS plugin's requiredTools). */
export const DISK_ASSEMBLY_TOOLS = [
  { command: 'tar', debianPackage: 'tar' },
  { command: 'sfdisk', debianPackage: 'fdisk' },
  { command: 'mkfs.ext4', debianPackage: 'e2fsprogs' },
  { command: 'mkfs.vfat', debianPackage: 'dosfstools' },
  { command: 'mcopy', debianPackage: 'mtools' },
  { command: 'grub-mkimage', debianPackage: 'grub-pc-bin' },
  { command: 'grub-mkstandalone', debianPackage: 'grub-efi-amd64-bin' },
] as const;

export interface AssembleDiskOptions {
  diskPath: string;
  layout: DiskLayout;
  treeDir: string;
  rootFsUuid: string;
  /** Scratch directory for GRUB images. */
  workDir: string;
  bootloader: boolean;
  progress(percent: number, activity: string): void;
}

export async function assembleDisk(exec: Exec, o: AssembleDiskOptions): Promise<void> {
  const handle = await open(o.diskPath, 'w');
  try {
    await handle.truncate(o.layout.diskBytes); // sparse
  } finally {
    await handle.close();
  }
  await exec(['sfdisk', '--quiet', '--no-reread', '--no-tell-kernel', o.diskPath], { input: sfdiskScript(o.layout) });
  o.progress(84, 'Writing the ext4 root filesystem into the disk');
  await makeRootFs(exec, o.diskPath, o.layout, o.treeDir, o.rootFsUuid);
  if (!o.bootloader) return;
  o.progress(95, 'Installing GRUB for BIOS and UEFI');
  const grubDir = join(o.workDir, 'grub');
  await mkdir(grubDir, { recursive: true });
  await installGrubBios(exec, grubDir, o.diskPath, o.layout, o.rootFsUuid);
  await installGrubEfi(exec, grubDir, o.diskPath, o.layout, o.rootFsUuid);
}
