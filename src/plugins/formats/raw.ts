import type { Converter } from './converter.js';
import { writeAtomically } from './atomic-output.js';
import { qemuImgConvertArgv, qemuImgInfo, qemuImgProgressOptions } from './qemu-img.js';

/**
 * Sparse raw copy (EC2). qemu-img detects zero runs (4 KiB granularity by default) and leaves holes,
 * so an unused 10 GiB disk stays cheap; `-W` lets it write out of order, which is safe for raw.
 */
export const convertToRaw: Converter = async ({ input, inputFormat, output, exec, log, progress }) => {
  log(`Copying raw disk ${input} (sparse)`);
  return writeAtomically(output, async (tmp) => {
    await exec(qemuImgConvertArgv(input, tmp, 'raw', [], ['-W'], inputFormat), qemuImgProgressOptions(progress, log));
    const info = await qemuImgInfo(exec, tmp, 'raw');
    return { format: 'raw', virtualSize: info.virtualSize };
  });
};
