import type { BuildContext, Exec } from '../../plugins/sdk/index.js';
import type { ArtifactStore } from '../ports/artifact-store.js';
import type { BuildLog } from './build-log.js';

export type ExecFactory = (opts: { signal: AbortSignal; onLine: (line: string) => void; timeoutMs: number }) => Exec;

/** A progress sink for one slice [from, to] of the image's overall percent_complete. */
export type ProgressSink = (percent: number, activity: string) => void;

export function scaledProgress(sink: ProgressSink, from: number, to: number): ProgressSink {
  return (percent, activity) => sink(from + ((to - from) * Math.max(0, Math.min(100, percent))) / 100, activity);
}

/** Builds the BuildContext handed to a plugin operation. */
export async function makeBuildContext(opts: {
  imageId: string;
  artifacts: ArtifactStore;
  log: BuildLog;
  signal: AbortSignal;
  progress: ProgressSink;
  execFactory: ExecFactory;
  stepTimeoutMs: number;
}): Promise<BuildContext> {
  const workDir = await opts.artifacts.makeScratchDir(opts.imageId);
  const exec = opts.execFactory({ signal: opts.signal, onLine: (l) => opts.log.line(l), timeoutMs: opts.stepTimeoutMs });
  return {
    imageId: opts.imageId,
    workDir,
    exec: (argv, o) => {
      opts.log.line(`$ ${argv.map(quoteForLog).join(' ')}`);
      return exec(argv, { timeoutMs: opts.stepTimeoutMs, ...o });
    },
    log: (line) => opts.log.line(line),
    // Logged by the engine's progress reporter, as the image's overall percent (what the API shows).
    progress: (percent, activity) => opts.progress(percent, activity),
    signal: opts.signal,
    cacheDir: opts.artifacts.cacheDir(),
  };
}

/** Quotes an argument for display in the log only (never executed). */
function quoteForLog(arg: string): string {
  const shown = arg.length > 200 ? `${arg.slice(0, 200)}…` : arg;
  return /^[\w@%+=:,./-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
}
