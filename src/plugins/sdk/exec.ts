/** Runs external tools. Always an argument array: template values never reach a shell. */

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Data written to the child's stdin. */
  input?: string | Buffer;
  /** Kill the process after this many milliseconds. */
  timeoutMs?: number;
  /** Receives each output line (stdout and stderr) as it arrives; defaults to the build log. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Run at this niceness (0–19) so builds yield the CPU to the API; default 0. */
  niceness?: number;
  /** Keep at most this many bytes of stdout in the result (default 16 MiB). */
  maxStdoutBytes?: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export type Exec = (argv: readonly string[], options?: ExecOptions) => Promise<ExecResult>;
