import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { createExec } from '../../src/platform/exec.js';
import type { TargetImageContext, BaseImageInput } from '../../src/plugins/sdk/index.js';

/** A real TargetImageContext for plugin tests: real tools, a fresh workDir, captured log and progress. */
export async function makeTargetContext(opts: {
  root: string;
  target: string;
  base: BaseImageInput;
  outputName: string;
  parameters?: Record<string, unknown>;
  config?: Record<string, unknown>;
  sourceTargetImage?: TargetImageContext['sourceTargetImage'];
}): Promise<TargetImageContext & { lines: string[]; progressSeen: [number, string][] }> {
  const workDir = await mkdtemp(join(opts.root, 'work-'));
  const lines: string[] = [];
  const progressSeen: [number, string][] = [];
  const ac = new AbortController();
  return {
    imageId: `test-${opts.target}`,
    workDir,
    exec: createExec({ signal: ac.signal, onLine: (l) => lines.push(l) }),
    log: (l) => lines.push(l),
    progress: (p, a) => progressSeen.push([p, a]),
    signal: ac.signal,
    cacheDir: workDir,
    target: opts.target,
    parameters: opts.parameters ?? {},
    config: opts.config ?? {},
    base: opts.base,
    sourceTargetImage: opts.sourceTargetImage,
    outputPath: join(opts.root, opts.outputName),
    lines,
    progressSeen,
  };
}
