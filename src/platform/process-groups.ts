import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The process groups of the build tools, written down in the data directory while they run.
 * Tools run in their own process groups (so a cancel kills the tool and all it started), which also
 * means they outlive a daemon killed with SIGKILL; the next start reads this ledger and kills what
 * is left. One file per group, `<pgid>`, holding the leader's start time (field 22 of
 * /proc/<pid>/stat) so a reused process id is never mistaken for an old tool.
 */
export class ProcessGroupLedger {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Synchronous on purpose: the entry is on disk before the tool can do any work. */
  record(pgid: number): void {
    try { writeFileSync(join(this.dir, String(pgid)), startTimeOf(pgid) ?? ''); } catch { /* best effort */ }
  }

  forget(pgid: number): void {
    rmSync(join(this.dir, String(pgid)), { force: true });
  }

  /** Kills every recorded group still alive (SIGKILL), waits until it is gone, clears the ledger. */
  async killLeftovers(timeoutMs = 10_000): Promise<number[]> {
    const killed: number[] = [];
    for (const name of readdirSync(this.dir)) {
      const pgid = Number(name);
      if (!Number.isInteger(pgid) || pgid <= 1) { rmSync(join(this.dir, name), { force: true }); continue; }
      const recordedStart = readFileSync(join(this.dir, name), 'utf8').trim();
      const leader = statOf(pgid);
      // The old group is gone and its id now leads an unrelated new group: leave that one alone.
      const reused = leader !== undefined && leader.pgrp === pgid && recordedStart !== '' && leader.startTime !== recordedStart;
      if (!reused && (await groupMembers(pgid)).length) {
        try { process.kill(-pgid, 'SIGKILL'); killed.push(pgid); } catch { /* already gone */ }
      }
    }
    const deadline = Date.now() + timeoutMs;
    for (const pgid of killed) {
      while ((await groupMembers(pgid)).length && Date.now() < deadline) await sleep(20);
    }
    for (const name of readdirSync(this.dir)) rmSync(join(this.dir, name), { force: true });
    return killed;
  }
}

let current: ProcessGroupLedger | undefined;
let deathSignal = false;

/**
 * Set once by the daemon at start-up; without it (tests, the CLI) nothing is recorded.
 * `dieWithDaemon`: setpriv (util-linux) is installed, so tools can get a parent-death signal.
 */
export function useProcessGroupLedger(ledger: ProcessGroupLedger | undefined, opts: { dieWithDaemon?: boolean } = {}): void {
  current = ledger;
  deathSignal = ledger !== undefined && (opts.dieWithDaemon ?? false);
}

/**
 * The command prefix that makes a tool die with the daemon (PR_SET_PDEATHSIG through util-linux's
 * setpriv, set before the tool runs). It covers the moment between spawning a tool and recording its
 * group, which the ledger cannot; the ledger covers what the tool itself starts.
 */
export function dieWithDaemonPrefix(): string[] {
  return deathSignal ? ['setpriv', '--pdeathsig', 'KILL'] : [];
}

/** Records a freshly spawned group leader; returns the function that forgets it. */
export function trackProcessGroup(pgid: number | undefined): () => void {
  const ledger = current;
  if (!ledger || pgid === undefined) return () => undefined;
  ledger.record(pgid);
  return () => ledger.forget(pgid);
}

/** pgrp (field 5) and start time (field 22) of a process, from /proc/<pid>/stat. */
function statOf(pid: number): { pgrp: number; startTime: string } | undefined {
  let text: string;
  try { text = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return undefined; }
  return parseStat(text);
}

function parseStat(text: string): { pgrp: number; startTime: string } | undefined {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const pgrp = Number(rest[2]);
  return Number.isInteger(pgrp) ? { pgrp, startTime: rest[19] ?? '' } : undefined;
}

function startTimeOf(pid: number): string | undefined {
  return statOf(pid)?.startTime;
}

/** Live (non-zombie) processes whose process group is `pgid`. */
export async function groupMembers(pgid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const text = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (!text) continue;
    const state = text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3);
    if (state !== 'Z' && parseStat(text)?.pgrp === pgid) out.push(Number(entry));
  }
  return out;
}
