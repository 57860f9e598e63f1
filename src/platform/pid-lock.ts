/**
 * A cross-process lock that a crashed holder cannot leave held: a directory (mkdir is atomic)
 * holding the owner's PID and that process's start time (from /proc, so a reused PID does not
 * count as the same owner). A waiter that finds the owner gone removes the lock and takes it.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../domain/errors.js';

export interface PidLock { release(): Promise<void> }

const OWNER_FILE = 'owner';
/** A lock directory whose owner file never appeared (holder died between mkdir and write). */
const OWNERLESS_STALE_MS = 30_000;

/** Start time of a live process (clock ticks since boot), or null if it does not exist. */
export async function processStartTime(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may contain spaces, so count from its closing paren.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the lock at `dir` is held by a process that is still running. */
export async function lockHolderAlive(dir: string): Promise<boolean> {
  const owner = await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => null);
  if (owner === null) {
    const st = await stat(dir).catch(() => null);
    return st !== null && Date.now() - st.mtimeMs < OWNERLESS_STALE_MS;
  }
  const [pid, start] = owner.trim().split(' ');
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return false;
  return (await processStartTime(n)) === start;
}

/**
 * Removes a lock whose owner is gone. Two waiters may both see it stale: only the one that creates
 * the `.takeover` directory removes it, after checking again, so a lock just taken by the other
 * waiter is never removed. A takeover left by a crash in that instant expires by age.
 */
async function removeStaleLock(dir: string): Promise<boolean> {
  const takeover = `${dir}.takeover`;
  try {
    await mkdir(takeover);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const st = await stat(takeover).catch(() => null);
    if (st && Date.now() - st.mtimeMs > OWNERLESS_STALE_MS) await rm(takeover, { recursive: true, force: true });
    return false;
  }
  try {
    if (await lockHolderAlive(dir)) return false;
    await rm(dir, { recursive: true, force: true });
    return true;
  } finally {
    await rm(takeover, { recursive: true, force: true });
  }
}

/**
 * Takes the lock, waiting (polling every `pollMs`) while a live process holds it. `onWait` is
 * called once when the lock is busy, so the caller can say what it is waiting for.
 */
export async function acquirePidLock(dir: string, opts: { signal?: AbortSignal; pollMs?: number; onWait?: () => void } = {}): Promise<PidLock> {
  let waited = false;
  for (;;) {
    if (opts.signal?.aborted) throw new AppError('BUILD_CANCELLED');
    try {
      await mkdir(dir);
      await writeFile(join(dir, OWNER_FILE), `${process.pid} ${await processStartTime(process.pid)}\n`);
      return { release: () => rm(dir, { recursive: true, force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!(await lockHolderAlive(dir)) && await removeStaleLock(dir)) continue;
    if (!waited) { waited = true; opts.onWait?.(); }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
  }
}
