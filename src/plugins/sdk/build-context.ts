import type { Exec } from './exec.js';

/** What every plugin operation is handed. Plugins never read config or the environment themselves. */
export interface BuildContext {
  /** Id of the image being built. */
  imageId: string;
  /** A private scratch directory, removed after the operation. */
  workDir: string;
  /** Runs a tool with an argument array; output lines go to the build log; honours `signal`. */
  exec: Exec;
  /** Appends one line to the image's build log. */
  log(line: string): void;
  /** Reports progress of this operation (0–100 within the operation) and the current activity. */
  progress(percent: number, activity: string): void;
  /** Aborted when the build is cancelled (DELETE) or the daemon stops. */
  signal: AbortSignal;
  /** Shared, size-limited cache directory for downloads (packages etc.). */
  cacheDir: string;
  /** Provider plugins count the bytes they send to the image service here (monitoring). */
  bytesSent?(bytes: number): void;
}
