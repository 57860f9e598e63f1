import type { Exec } from '../sdk/exec.js';

/**
 * One conversion request. `input` is always a raw disk (formats are stacked on raw, never probed:
 * every qemu-img call passes `-f raw`). `output` appears only when the conversion succeeded.
 */
export interface ConvertRequest<Options = Record<string, never>> {
  input: string;
  output: string;
  options: Options;
  exec: Exec;
  signal: AbortSignal;
  log(line: string): void;
}

/** What every converter reports back. */
export interface ConvertResult {
  /** Format name of the written file (qemu-img driver name where one exists). */
  format: string;
  /** Virtual disk size in bytes, when the output is a disk image. */
  virtualSize?: number;
}

export type Converter<Options = Record<string, never>> = (req: ConvertRequest<Options>) => Promise<ConvertResult>;
