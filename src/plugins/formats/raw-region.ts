import type { Converter } from './converter.js';
import { writeAtomically } from './atomic-output.js';
import { qemuImgInfo } from './qemu-img.js';

export interface RawRegionOptions {
  /** Byte offset of the region inside the raw input (e.g. a partition start). */
  offset: number;
  /** Region length in bytes. */
  size: number;
}

/** qemu's option syntax escapes a comma inside a value by doubling it. */
function optValue(v: string): string {
  return v.replace(/,/g, ',,');
}

/**
 * Copies one region of a raw disk (a partition) to a sparse raw file: EC2's "flattened"
 * single-filesystem image. The raw driver's offset/size options read the region without a loop device.
 */
export const extractRawRegion: Converter<RawRegionOptions> = async ({ input, inputFormat = 'raw', output, options, exec, log }) => {
  log(`Extracting ${options.size} bytes at offset ${options.offset} of ${input}`);
  return writeAtomically(output, async (tmp) => {
    await exec([
      'qemu-img', 'convert', '--image-opts',
      inputFormat === 'raw'
        ? `driver=raw,offset=${options.offset},size=${options.size},file.driver=file,file.filename=${optValue(input)}`
        : `driver=raw,offset=${options.offset},size=${options.size},file.driver=${inputFormat},file.file.driver=file,file.file.filename=${optValue(input)}`,
      '-O', 'raw', tmp,
    ]);
    const info = await qemuImgInfo(exec, tmp, 'raw');
    return { format: 'raw', virtualSize: info.virtualSize };
  });
};
