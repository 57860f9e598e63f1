import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/imagefactoryd', import.meta.url));

export interface DaemonProcess {
  child: ChildProcess;
  /** Everything the daemon wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs the real bin/imagefactoryd (built dist/) as a child process; stopped by its PID. */
export function spawnDaemon(args: string[], env: Record<string, string> = {}, opts: { ownProcessGroup?: boolean } = {}): DaemonProcess {
  // ownProcessGroup: the daemon leads its own process group, so a test can kill -9 the whole group.
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownProcessGroup ?? false });
  let err = '';
  child.stderr!.on('data', (c) => { err += c; });
  child.stdout!.on('data', (c) => { err += c; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) process.kill(child.pid!, signal);
      return exited;
    },
  };
}

/** Waits until the daemon printed its "listening on" line; returns the URL it names. */
export async function waitListening(d: DaemonProcess, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = /listening on (\S+)\/imagefactory/.exec(d.stderr());
    if (m) return m[1];
    if (d.child.exitCode !== null) throw new Error(`daemon exited ${d.child.exitCode}: ${d.stderr()}`);
    if (Date.now() > deadline) throw new Error(`daemon did not start: ${d.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
