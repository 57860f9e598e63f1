import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./test-worker-main.ts', import.meta.url));

export interface WorkerProcess {
  id: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM (graceful) or SIGKILL, by PID; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts one build worker process and waits until it has registered. */
export async function startWorkerProcess(id: string, env: Record<string, string>): Promise<WorkerProcess> {
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...inherited, ...env, IMAGEFACTORY_WORKER_ID: id },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => { out += c; });
  child.stderr!.on('data', (c) => { out += c; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!out.includes(`worker ${id} ready`)) {
    if (child.exitCode !== null) throw new Error(`worker ${id} exited ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) { process.kill(child.pid!, 'SIGKILL'); throw new Error(`worker ${id} did not start: ${out}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    id, child, output: () => out, exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, signal);
      return exited;
    },
  };
}
