/**
 * The GPT layout of every disk: 1 MiB BIOS-boot partition (GRUB core.img), a 128 MiB EFI system
 * partition (GRUB EFI) and the root filesystem on the rest, all 1 MiB aligned. One disk boots
 * with BIOS and with UEFI.
 */
import { MIN_DISK_BYTES } from '../../../domain/template/disk-size.js';

export const SECTOR = 512;
const MIB_SECTORS = 2048;
/** Sectors the backup GPT (header + 128 entries) needs at the end of the disk. */
const BACKUP_GPT_SECTORS = 33;

export const GPT_TYPE = {
  biosBoot: '21686148-6449-6E6F-744E-656564454649',
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  linuxRootX86_64: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709',
} as const;

export interface Extent { start: number; size: number }

export interface DiskLayout {
  diskBytes: number;
  bios: Extent;
  esp: Extent;
  root: Extent;
}

/** Disk sizes are rounded up to whole MiB (Azure and others require it). */
export function roundDiskBytes(bytes: number): number {
  const mib = 1024 * 1024;
  return Math.ceil(bytes / mib) * mib;
}

export function planDiskLayout(requestedBytes: number): DiskLayout {
  const diskBytes = roundDiskBytes(requestedBytes);
  const totalSectors = diskBytes / SECTOR;
  const bios: Extent = { start: MIB_SECTORS, size: MIB_SECTORS };
  const esp: Extent = { start: bios.start + bios.size, size: 128 * MIB_SECTORS };
  const rootStart = esp.start + esp.size;
  const lastUsable = totalSectors - BACKUP_GPT_SECTORS - 1;
  const rootSize = Math.floor((lastUsable + 1 - rootStart) / MIB_SECTORS) * MIB_SECTORS;
  if (rootSize < 64 * MIB_SECTORS) {
    throw new Error(`a ${diskBytes / 1024 / 1024} MiB disk leaves no room for a root filesystem (need at least ${MIN_DISK_BYTES / 1024 / 1024} MiB)`);
  }
  return { diskBytes, bios, esp, root: { start: rootStart, size: rootSize } };
}

/** sfdisk input for the layout. */
export function sfdiskScript(l: DiskLayout): string {
  return [
    'label: gpt',
    'unit: sectors',
    'first-lba: 2048',
    `start=${l.bios.start}, size=${l.bios.size}, type=${GPT_TYPE.biosBoot}, name="bios"`,
    `start=${l.esp.start}, size=${l.esp.size}, type=${GPT_TYPE.esp}, name="esp"`,
    `start=${l.root.start}, size=${l.root.size}, type=${GPT_TYPE.linuxRootX86_64}, name="root"`,
    '',
  ].join('\n');
}
