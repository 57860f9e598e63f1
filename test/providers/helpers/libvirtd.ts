import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { runTool } from '../../../src/platform/exec.js';

/** A libvirtd the tests talk to over qemu:///system; stop() ends only daemons this process started. */
export interface Libvirtd {
  /** True when this test started the daemon (else it reused one already running). */
  started: boolean;
  virsh(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

const URI = 'qemu:///system';

async function answers(): Promise<boolean> {
  return runTool(['virsh', '-c', URI, 'version'], { timeoutMs: 10_000 }).then(() => true, () => false);
}

/**
 * Reuses a libvirtd that already answers, else starts libvirtd and virtlogd (unix sockets only;
 * PID 1 is not systemd, so nothing starts them for us). If another test process starts libvirtd at
 * the same moment, libvirtd's own pid-file lock makes ours exit, and we use the other one instead
 * of killing anything we did not start.
 */
export async function startOrReuseLibvirtd(logDir: string): Promise<Libvirtd> {
  const virsh = async (args: string[]) => (await runTool(['virsh', '-q', '-c', URI, ...args])).stdout;
  if (await answers()) return { started: false, virsh, stop: async () => undefined };
  const children: ChildProcess[] = [];
  const exited = new Map<ChildProcess, Promise<void>>();
  for (const cmd of ['virtlogd', 'libvirtd']) {
    const log = createWriteStream(join(logDir, `${cmd}.log`));
    const child = spawn(cmd, [], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    exited.set(child, new Promise((r) => child.once('exit', () => r())));
    children.push(child);
  }
  const stop = async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(c.pid, 'SIGTERM');
    await Promise.all(children.map((c) => exited.get(c)));
  };
  const deadline = Date.now() + 60_000;
  while (!(await answers())) {
    if (Date.now() > deadline) { await stop(); throw new Error(`libvirtd did not answer on ${URI} in 60 s; see ${logDir}/libvirtd.log`); }
    await new Promise((r) => setTimeout(r, 250));
  }
  // Ours lost the pid-file race to another test's daemon: leave that one running when we finish.
  const ours = children.filter((c) => c.exitCode === null && c.signalCode === null);
  return { started: ours.length === children.length, virsh, stop: async () => { children.splice(0, children.length, ...ours); await stop(); } };
}
