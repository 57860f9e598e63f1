import type { ImageKind } from '../../domain/image.js';

/**
 * What the build engine tells monitoring, beyond the image changes every listener sees: how long
 * each step took and what a push sent. Labels are bounded: kinds, fixed step names, plugin ids.
 */
export interface BuildMetrics {
  /** One step of a build finished (queue, install, boot_test, convert, push, store). */
  stepFinished(kind: ImageKind, step: string, seconds: number): void;
  /** Bytes a provider plugin sent to its image service. */
  pushBytes(provider: string, bytes: number): void;
  /** A push to this provider failed (the provider image is FAILED). */
  pushFailed(provider: string): void;
}

/** Times one step of a build for `metrics` (if any), also when the step throws. */
export async function timedStep<T>(metrics: BuildMetrics | undefined, kind: ImageKind, step: string, fn: () => Promise<T>): Promise<T> {
  if (!metrics) return fn();
  const started = process.hrtime.bigint();
  try {
    return await fn();
  } finally {
    metrics.stepFinished(kind, step, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
