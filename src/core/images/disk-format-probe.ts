import { open, stat } from 'node:fs/promises';
import { AppError } from '../../domain/errors.js';
import type { Exec } from '../../plugins/sdk/index.js';

/** Disk formats an import accepts, in the order they are tried. Raw last: it opens anything. */
export const IMPORT_FORMATS = ['qcow2', 'vmdk', 'vhdx', 'vdi', 'vpc', 'raw'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ProbedDisk {
  format: ImportFormat;
  virtualSize: number;
}

/**
 * Finds the format of an untrusted uploaded disk without letting qemu-img guess: each candidate is
 * opened with an explicit `-f` in a fixed order and the first that opens and passes the checks wins
 * (a fixed VHD is only recognised by `-f vpc`, and guessing could treat a crafted raw disk as qcow2).
 * Images that would make qemu read other host files (backing files, external data files, VMDK
 * extents elsewhere) and encrypted images are refused: converting them would copy those files.
 */
export async function probeDiskFormat(exec: Exec, path: string, opts: { forced?: ImportFormat; maxVirtualBytes: number }): Promise<ProbedDisk> {
  const candidates = opts.forced ? [opts.forced] : IMPORT_FORMATS;
  const reasons: string[] = [];
  for (const format of candidates) {
    const info = await qemuInfo(exec, path, format);
    if (!info) { reasons.push(`not ${format}`); continue; }
    const problem = format === 'raw' ? await rawProblem(path) : externalReference(path, info);
    if (problem) {
      // A structurally valid image with a dangerous property is refused outright, not retried as raw.
      if (format !== 'raw') throw new AppError('REQUEST_INVALID', `The uploaded ${format} image ${problem}.`);
      reasons.push(problem);
      continue;
    }
    const virtualSize = Number(info['virtual-size']);
    if (!Number.isFinite(virtualSize) || virtualSize <= 0) throw new AppError('REQUEST_INVALID', `The uploaded ${format} image has no usable size.`);
    if (virtualSize > opts.maxVirtualBytes) {
      throw new AppError('REQUEST_TOO_LARGE', `The uploaded ${format} image has a virtual size of ${virtualSize} bytes; at most ${opts.maxVirtualBytes} (config import_max_virtual_bytes) is accepted.`);
    }
    return { format, virtualSize };
  }
  throw new AppError('REQUEST_INVALID', `The upload is not a disk image qemu-img can read as ${candidates.join(', ')} (${reasons.join('; ')}).`);
}

type QemuInfo = Record<string, unknown>;

async function qemuInfo(exec: Exec, path: string, format: ImportFormat): Promise<QemuInfo | undefined> {
  try {
    const { stdout } = await exec(['qemu-img', 'info', '--output=json', '-f', format, path], { onLine: () => {}, timeoutMs: 60_000 });
    return JSON.parse(stdout) as QemuInfo;
  } catch (e) {
    if (e instanceof AppError && e.code !== 'TOOL_FAILED') throw e; // missing qemu-img, cancelled
    return undefined;
  }
}

function externalReference(path: string, info: QemuInfo): string | undefined {
  if (info['backing-filename'] !== undefined || info['full-backing-filename'] !== undefined) return 'has a backing file';
  if (info.encrypted === true) return 'is encrypted';
  const specific = (info['format-specific'] as { data?: Record<string, unknown> } | undefined)?.data ?? {};
  if (specific['data-file'] !== undefined) return 'has an external data file';
  if (specific.encrypt !== undefined) return 'is encrypted';
  const extents = specific.extents as { filename?: string }[] | undefined;
  if (extents?.some((e) => e.filename !== path)) return 'references extents in other files';
  return undefined;
}

/**
 * qemu-img opens any file as raw, so a raw upload must also look like a disk: whole sectors and a
 * partition table (the MBR signature, which GPT disks carry in their protective MBR too).
 */
async function rawProblem(path: string): Promise<string | undefined> {
  const { size } = await stat(path);
  if (!(size >= 512) || size % 512 !== 0) return 'not raw (not a whole number of 512-byte sectors)';
  const handle = await open(path, 'r');
  try {
    const sector = Buffer.alloc(512);
    await handle.read(sector, 0, 512, 0);
    if (sector[510] !== 0x55 || sector[511] !== 0xaa) return 'not raw (no partition table)';
  } finally {
    await handle.close();
  }
  return undefined;
}
