/**
 * Installs GRUB for both boot modes into the assembled disk, loop-free (toolchain.md §4):
 * BIOS: grub-mkimage core.img embedded into the BIOS-boot partition; UEFI: grub-mkstandalone
 * BOOTX64.EFI on a FAT ESP built with mtools and copied into the ESP partition.
 */
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exec } from '../../sdk/exec.js';
import { SECTOR, type DiskLayout } from './disk-layout.js';
import { embedGrubBios } from './grub-bios-embed.js';
import { GRUB_BIOS_MODULES, GRUB_EFI_MODULES, earlyGrubConfig } from './grub-config.js';

export const GRUB_I386_PC_DIR = '/usr/lib/grub/i386-pc';
const MTOOLS_ENV = { MTOOLS_SKIP_CHECK: '1' };

export function grubMkimageArgv(coreImg: string, earlyCfg: string): string[] {
  return ['grub-mkimage', '-O', 'i386-pc', '-d', GRUB_I386_PC_DIR, '-o', coreImg, '-c', earlyCfg, '-p', '/boot/grub', ...GRUB_BIOS_MODULES];
}

export function grubMkstandaloneArgv(efiPath: string, earlyCfg: string): string[] {
  return [
    'grub-mkstandalone', '-O', 'x86_64-efi', '-o', efiPath, `--modules=${GRUB_EFI_MODULES.join(' ')}`,
    '--locales=', '--fonts=', '--themes=', `boot/grub/grub.cfg=${earlyCfg}`,
  ];
}

export async function installGrubBios(exec: Exec, workDir: string, diskPath: string, layout: DiskLayout, rootUuid: string): Promise<void> {
  const earlyCfg = join(workDir, 'grub-early.cfg');
  const coreImg = join(workDir, 'core.img');
  await writeFile(earlyCfg, earlyGrubConfig(rootUuid));
  await exec(grubMkimageArgv(coreImg, earlyCfg));
  await embedGrubBios(diskPath, join(GRUB_I386_PC_DIR, 'boot.img'), coreImg, layout.bios.start, layout.bios.size * SECTOR);
}

export async function installGrubEfi(exec: Exec, workDir: string, diskPath: string, layout: DiskLayout, rootUuid: string): Promise<void> {
  const earlyCfg = join(workDir, 'grub-early.cfg');
  const efi = join(workDir, 'BOOTX64.EFI');
  const esp = join(workDir, 'esp.vfat');
  await writeFile(earlyCfg, earlyGrubConfig(rootUuid));
  await exec(grubMkstandaloneArgv(efi, earlyCfg));
  await exec(['mkfs.vfat', '-F', '32', '-s', '1', '-n', 'ESP', '-C', esp, String((layout.esp.size * SECTOR) / 1024)]);
  await exec(['mmd', '-i', esp, '::/EFI', '::/EFI/BOOT'], { env: MTOOLS_ENV });
  await exec(['mcopy', '-i', esp, efi, '::/EFI/BOOT/BOOTX64.EFI'], { env: MTOOLS_ENV });
  await copySparse(esp, diskPath, layout.esp.start * SECTOR);
}

/** Copies a file into the disk at an offset, skipping all-zero blocks (the disk is sparse zeros). */
export async function copySparse(src: string, diskPath: string, offset: number): Promise<void> {
  const input = await open(src, 'r');
  const output = await open(diskPath, 'r+');
  try {
    const buf = Buffer.alloc(1024 * 1024);
    const zero = Buffer.alloc(buf.length);
    for (let pos = 0; ; ) {
      const { bytesRead } = await input.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      if (!chunk.equals(zero.subarray(0, bytesRead))) await output.write(chunk, 0, bytesRead, offset + pos);
      pos += bytesRead;
    }
  } finally {
    await input.close();
    await output.close();
  }
}
