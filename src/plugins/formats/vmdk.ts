import type { Converter } from './converter.js';
import { writeAtomically } from './atomic-output.js';
import { qemuImgConvertArgv, qemuImgInfo, qemuImgProgressOptions } from './qemu-img.js';

export interface VmdkOptions {
  /**
   * `streamOptimized` (default): compressed, sequential, what vSphere imports and OVAs carry.
   * `monolithicSparse`: Image Factory's "standard" vSphere format, a single growable extent.
   */
  subformat?: 'streamOptimized' | 'monolithicSparse';
}

/** VMDK with an LSI Logic adapter and hardware version 6 (the original's compat6 output). */
export const convertToVmdk: Converter<VmdkOptions> = async ({ input, inputFormat, output, options, exec, log, progress }) => {
  const subformat = options.subformat ?? 'streamOptimized';
  log(`Converting ${input} to vmdk (${subformat})`);
  return writeAtomically(output, async (tmp) => {
    // -W would be useless here: streamOptimized compression is sequential in qemu-img.
    await exec(qemuImgConvertArgv(input, tmp, 'vmdk', [`subformat=${subformat}`, 'adapter_type=lsilogic', 'hwversion=6'], [], inputFormat), qemuImgProgressOptions(progress, log));
    const info = await qemuImgInfo(exec, tmp, 'vmdk');
    return { format: 'vmdk', virtualSize: info.virtualSize };
  });
};
