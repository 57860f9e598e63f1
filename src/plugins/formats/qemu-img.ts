import type { Exec } from '../sdk/exec.js';
import { AppError } from '../../domain/errors.js';

/** The subset of `qemu-img info --output=json` the converters and targets read. */
export interface QemuImgInfo {
  format: string;
  virtualSize: number;
  actualSize: number;
}

/** Reads an image's facts with its format given explicitly (never probed: a fixed VHD probes as raw). */
export async function qemuImgInfo(exec: Exec, path: string, format: string): Promise<QemuImgInfo> {
  const { stdout } = await exec(['qemu-img', 'info', '--output=json', '-f', format, path], { onLine: () => {} });
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(stdout) as Record<string, unknown>;
  } catch (cause) {
    throw new AppError('TOOL_FAILED', `qemu-img info printed unreadable JSON for ${path}`, { cause });
  }
  return {
    format: String(parsed.format),
    virtualSize: Number(parsed['virtual-size']),
    actualSize: Number(parsed['actual-size'] ?? 0),
  };
}

/**
 * `qemu-img convert` from raw (or a qcow2 overlay) with the given output format and `-o` options.
 * `-p` makes qemu-img print its progress ("    (41.00/100%)", redrawn with \r) even into a pipe.
 */
export function qemuImgConvertArgv(
  input: string, output: string, outFormat: string, opts: readonly string[], extra: readonly string[] = [], inputFormat = 'raw',
): string[] {
  const argv = ['qemu-img', 'convert', '-p', ...extra, '-f', inputFormat, '-O', outFormat];
  if (opts.length) argv.push('-o', opts.join(','));
  argv.push(input, output);
  return argv;
}


export { parseQemuImgProgress, qemuImgProgressOptions } from '../sdk/qemu-img-progress.js';
