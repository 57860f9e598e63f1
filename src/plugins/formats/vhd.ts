import { stat, truncate, rm } from 'node:fs/promises';
import type { Converter } from './converter.js';
import { writeAtomically } from './atomic-output.js';
import { qemuImgConvertArgv, qemuImgInfo, qemuImgProgressOptions } from './qemu-img.js';

const MIB = 1024 * 1024;

export interface VhdOptions {
  /** `fixed` (default; Azure only accepts fixed VHDs) or `dynamic` (Hyper-V, smaller file). */
  subformat?: 'fixed' | 'dynamic';
}

export function roundUpToMiB(bytes: number): number {
  return Math.ceil(bytes / MIB) * MIB;
}

/**
 * VHD (qemu's `vpc`). `force_size=on` keeps the exact virtual size instead of qemu's CHS rounding,
 * which Azure rejects; the size is first rounded up to a whole MiB (Azure's other requirement) by
 * converting from a padded sparse copy. Fixed VHDs stay sparse on disk: the data area is raw.
 */
export const convertToVhd: Converter<VhdOptions> = async ({ input, inputFormat = 'raw', output, options, exec, log, progress }) => {
  const subformat = options.subformat ?? 'fixed';
  const size = inputFormat === 'raw' ? (await stat(input)).size : (await qemuImgInfo(exec, input, inputFormat)).virtualSize;
  const rounded = roundUpToMiB(size);
  log(`Converting ${input} to vhd (${subformat}, virtual size ${rounded} bytes)`);
  return writeAtomically(output, async (tmp) => {
    let source = input;
    let sourceFormat: string = inputFormat;
    if (rounded !== size && inputFormat === 'raw') {
      source = `${tmp}.padded.raw`;
      await exec(['cp', '--sparse=always', input, source]);
      await truncate(source, rounded);
    } else if (rounded !== size) {
      // A larger overlay over the input: reads past the input's end are zeros. Nothing is copied.
      source = `${tmp}.padded.qcow2`;
      sourceFormat = 'qcow2';
      await exec(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', input, '-F', inputFormat, source, String(rounded)]);
    }
    try {
      await exec(qemuImgConvertArgv(source, tmp, 'vpc', [`subformat=${subformat}`, 'force_size=on'], [], sourceFormat), qemuImgProgressOptions(progress, log));
    } finally {
      if (source !== input) await rm(source, { force: true });
    }
    const info = await qemuImgInfo(exec, tmp, 'vpc');
    return { format: 'vpc', virtualSize: info.virtualSize };
  });
};
