import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { createExec } from '../../../src/platform/exec.js';
import type { DeleteFromProviderContext, PushContext } from '../../../src/plugins/sdk/index.js';

export interface Recorded {
  lines: string[];
  argvs: string[][];
  inputs: string[];
}

/** A real push context (real tools) that records log lines and every argv and stdin it ran. */
export async function makePushContext(root: string, opts: Pick<PushContext, 'target' | 'provider' | 'credentials' | 'targetImage'> & { parameters?: Record<string, unknown> }): Promise<PushContext & Recorded> {
  return { ...(await base(root)), target: opts.target, provider: opts.provider, credentials: opts.credentials, targetImage: opts.targetImage, parameters: opts.parameters ?? {} };
}

export async function makeDeleteContext(root: string, opts: Pick<DeleteFromProviderContext, 'target' | 'provider' | 'credentials' | 'identifierOnProvider'>): Promise<DeleteFromProviderContext & Recorded> {
  return { ...(await base(root)), ...opts };
}

async function base(root: string) {
  const workDir = await mkdtemp(join(root, 'push-work-'));
  const rec: Recorded = { lines: [], argvs: [], inputs: [] };
  const ac = new AbortController();
  const exec = createExec({ signal: ac.signal, onLine: (l) => rec.lines.push(l) });
  return {
    ...rec,
    imageId: 'test-push',
    workDir,
    exec: ((argv, o) => {
      rec.argvs.push([...argv]);
      if (o?.input !== undefined) rec.inputs.push(String(o.input));
      return exec(argv, o);
    }) as PushContext['exec'],
    log: (l: string) => rec.lines.push(l),
    progress: () => undefined,
    signal: ac.signal,
    cacheDir: workDir,
  };
}
