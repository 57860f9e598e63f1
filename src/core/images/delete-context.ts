import type { BuildContext } from '../../plugins/sdk/index.js';
import type { ExecFactory } from '../builds/build-context-factory.js';
import type { ArtifactStore } from '../ports/artifact-store.js';

/** A minimal build context for deleting from a provider (no progress, log to the daemon log). */
export async function makeDeleteContext(execFactory: ExecFactory, artifacts: ArtifactStore, imageId: string): Promise<BuildContext> {
  const signal = AbortSignal.timeout(30 * 60 * 1000);
  return {
    imageId,
    workDir: await artifacts.makeScratchDir(imageId),
    exec: execFactory({ signal, onLine: () => undefined, timeoutMs: 30 * 60 * 1000 }),
    log: () => undefined,
    progress: () => undefined,
    signal,
    cacheDir: artifacts.cacheDir(),
  };
}
