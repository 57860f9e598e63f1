import type { Converter } from './converter.js';
import { writeAtomically } from './atomic-output.js';
import { qemuImgConvertArgv, qemuImgInfo, qemuImgProgressOptions } from './qemu-img.js';

/** Dynamic VHDX (Hyper-V generation 1/2 disks). */
export const convertToVhdx: Converter = async ({ input, inputFormat, output, exec, log, progress }) => {
  log(`Converting ${input} to vhdx (dynamic)`);
  return writeAtomically(output, async (tmp) => {
    await exec(qemuImgConvertArgv(input, tmp, 'vhdx', ['subformat=dynamic'], [], inputFormat), qemuImgProgressOptions(progress, log));
    const info = await qemuImgInfo(exec, tmp, 'vhdx');
    return { format: 'vhdx', virtualSize: info.virtualSize };
  });
};
