import type { Exec } from '../sdk/exec.js';

/**
 * One conversion request. `input` is a raw disk, or a qcow2 overlay holding in-image edits over a
 * raw base (`inputFormat`); formats are never probed: every qemu-img call names the input format.
 * `output` appears only when the conversion succeeded.
 */
export interface ConvertRequest<Options = Record<string, never>> {
  input: string;
  /** Default raw. */
  inputFormat?: InputFormat;
  output: string;
  options: Options;
  exec: Exec;
  signal: AbortSignal;
  log(line: string): void;
  /** Receives the fraction of the conversion done, from qemu-img's own progress (0..1). */
  progress?: (fraction: number) => void;
}

/** What every converter reports back. */
export interface ConvertResult {
  /** Format name of the written file (qemu-img driver name where one exists). */
  format: string;
  /** Virtual disk size in bytes, when the output is a disk image. */
  virtualSize?: number;
}

export type InputFormat = 'raw' | 'qcow2';

export type Converter<Options = Record<string, never>> = (req: ConvertRequest<Options>) => Promise<ConvertResult>;
