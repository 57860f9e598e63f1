import type { ProgressSink } from './build-context-factory.js';
import type { BuildLog } from './build-log.js';
import type { StatusWriter } from './status-writer.js';

export interface ProgressReporter {
  sink: ProgressSink;
  /** Resolves when every progress write so far is persisted. */
  flush(): Promise<void>;
}

/**
 * The one place a build's progress goes through, so the log and the API agree: the image's overall
 * percent (whole numbers, 0..99, never lower than before) is written to the build log as
 * `[41%] activity` and persisted with the same numbers, in order (writes are chained, so a slow
 * write never lets an older value land after a newer one).
 */
export function progressReporter(status: StatusWriter, imageId: string, log: BuildLog): ProgressReporter {
  let percent = 0;
  let activity = '';
  let chain: Promise<void> = Promise.resolve();
  const sink: ProgressSink = (p, a) => {
    const next = Math.max(percent, Math.max(0, Math.min(99, Math.floor(Number.isFinite(p) ? p : 0))));
    if (next === percent && a === activity) return;
    percent = next;
    activity = a;
    log.line(`[${next}%] ${a}`);
    chain = chain.then(() => status.progress(imageId, next, a)).catch(() => undefined);
  };
  return { sink, flush: () => chain };
}
