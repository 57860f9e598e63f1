/**
 * Installs GRUB for BIOS without grub-install (which insists on a real block device): boot.img
 * goes into the MBR boot code area and core.img into the BIOS-boot partition, patched the way
 * grub-bios-setup does. A TypeScript port of toolchain.md §4's grub_bios_embed.py.
 */
import { open, readFile } from 'node:fs/promises';

/** Where boot.img stores the LBA of core.img's first sector (GRUB_BOOT_MACHINE_KERNEL_SECTOR). */
const KERNEL_SECTOR_OFFSET = 0x5c;
/** The 2-byte jump that checks the boot drive; grub-bios-setup replaces it with NOPs. */
const DRIVE_CHECK_OFFSET = 0x66;
/** diskboot.img's blocklist (start LBA u64, sector count u16, load segment u16) sits 12 bytes before its end. */
const BLOCKLIST_OFFSET = 0x200 - 12;
const MBR_BOOT_CODE_BYTES = 440;

/** Returns the patched 440 bytes of MBR boot code and the patched core.img. Pure, for tests. */
export function patchGrubBiosImages(bootImg: Buffer, coreImg: Buffer, coreLba: number): { bootCode: Buffer; core: Buffer } {
  if (bootImg.length !== 512) throw new Error(`boot.img must be 512 bytes, got ${bootImg.length}`);
  if (coreImg.length < 512) throw new Error('core.img is too small');
  const boot = Buffer.from(bootImg);
  const core = Buffer.from(coreImg);
  boot.writeBigUInt64LE(BigInt(coreLba), KERNEL_SECTOR_OFFSET);
  boot[DRIVE_CHECK_OFFSET] = 0x90;
  boot[DRIVE_CHECK_OFFSET + 1] = 0x90;
  const sectors = Math.ceil(core.length / 512);
  const segment = core.readUInt16LE(BLOCKLIST_OFFSET + 10);
  core.writeBigUInt64LE(BigInt(coreLba + 1), BLOCKLIST_OFFSET);
  core.writeUInt16LE(sectors - 1, BLOCKLIST_OFFSET + 8);
  core.writeUInt16LE(segment, BLOCKLIST_OFFSET + 10);
  return { bootCode: boot.subarray(0, MBR_BOOT_CODE_BYTES), core };
}

/**
 * Writes boot.img's code into the MBR (keeping the disk signature and the protective partition
 * table) and core.img at `coreLba`. `maxCoreBytes` is the BIOS-boot partition size.
 */
export async function embedGrubBios(
  diskPath: string, bootImgPath: string, coreImgPath: string, coreLba: number, maxCoreBytes: number,
): Promise<void> {
  const [bootImg, coreImg] = await Promise.all([readFile(bootImgPath), readFile(coreImgPath)]);
  if (coreImg.length > maxCoreBytes) {
    throw new Error(`GRUB core.img is ${coreImg.length} bytes; the BIOS boot partition holds only ${maxCoreBytes}`);
  }
  const { bootCode, core } = patchGrubBiosImages(bootImg, coreImg, coreLba);
  const disk = await open(diskPath, 'r+');
  try {
    await disk.write(bootCode, 0, bootCode.length, 0);
    await disk.write(core, 0, core.length, coreLba * 512);
  } finally {
    await disk.close();
  }
}
