import type { ExecOptions } from './exec.js';

/** The fraction done in one `qemu-img convert -p` progress line, or null for any other line. */
export function parseQemuImgProgress(line: string): number | null {
  const m = /^\s*\((\d+(?:\.\d+)?)\/100%\)\s*$/.exec(line);
  return m ? Math.min(1, Number(m[1]) / 100) : null;
}

/**
 * Exec options for a `qemu-img convert -p`: progress lines go to `progress` (only whole-percent
 * changes), never to the log; every other line goes to `log`. Without `progress`, nothing changes.
 */
export function qemuImgProgressOptions(progress: ((fraction: number) => void) | undefined, log: (line: string) => void): ExecOptions {
  if (!progress) return {};
  let last = -1;
  return {
    onLine: (line) => {
      const f = parseQemuImgProgress(line);
      if (f === null) {
        if (line.trim()) log(line);
        return;
      }
      const whole = Math.floor(f * 100);
      if (whole > last) {
        last = whole;
        progress(f);
      }
    },
  };
}
