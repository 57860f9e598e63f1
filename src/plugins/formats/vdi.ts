import type { Converter } from './converter.js';
import { writeAtomically } from './atomic-output.js';
import { qemuImgConvertArgv, qemuImgInfo, qemuImgProgressOptions } from './qemu-img.js';

/** Dynamic VDI (VirtualBox's native format). */
export const convertToVdi: Converter = async ({ input, inputFormat, output, exec, log, progress }) => {
  log(`Converting ${input} to vdi`);
  return writeAtomically(output, async (tmp) => {
    await exec(qemuImgConvertArgv(input, tmp, 'vdi', ['static=off'], [], inputFormat), qemuImgProgressOptions(progress, log));
    const info = await qemuImgInfo(exec, tmp, 'vdi');
    return { format: 'vdi', virtualSize: info.virtualSize };
  });
};
