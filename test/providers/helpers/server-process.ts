import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** A server started by a test: its PID, and a stop() that kills exactly that process. */
export interface ServerProcess {
  pid: number;
  stop(): Promise<void>;
}

/** Starts `argv` with output to `logFile`, then polls `ready` until it answers true. */
export async function startServer(argv: string[], logFile: string, ready: () => Promise<boolean>, timeoutMs = 120_000): Promise<ServerProcess> {
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  const stop = async () => {
    if (!exited && child.pid) process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => { if (!exited && child.pid) process.kill(child.pid, 'SIGKILL'); }, 10_000);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${argv[0]} exited before it was ready; see ${logFile}`);
    if (await ready().catch(() => false)) return { pid: child.pid!, stop };
    if (Date.now() > deadline) { await stop(); throw new Error(`${argv[0]} was not ready in time; see ${logFile}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
}
