import { spawn } from 'node:child_process';
import { AppError } from '../domain/errors.js';
import type { Exec, ExecOptions, ExecResult } from '../plugins/sdk/exec.js';
import { dieWithDaemonPrefix, trackProcessGroup } from './process-groups.js';

const DEFAULT_MAX_STDOUT = 16 * 1024 * 1024;
const STDERR_TAIL_LINES = 20;

/**
 * Creates an Exec bound to an AbortSignal and a default line sink. Each tool runs in its own
 * process group so that cancelling kills the tool and everything it started (mmdebstrap's apt,
 * qemu...). A non-zero exit rejects with TOOL_FAILED carrying the tool's own last stderr lines.
 */
export function createExec(defaults: { signal?: AbortSignal; onLine?: ExecOptions['onLine']; env?: ExecOptions['env']; niceness?: number } = {}): Exec {
  return (argv, options = {}) => runTool(argv, {
    niceness: defaults.niceness,
    ...options,
    env: defaults.env || options.env ? { ...defaults.env, ...options.env } : undefined,
    onLine: options.onLine ?? defaults.onLine,
  }, defaults.signal);
}

export function runTool(argv: readonly string[], options: ExecOptions = {}, signal?: AbortSignal): Promise<ExecResult> {
  if (argv.length === 0) throw new Error('runTool: empty argv');
  if (signal?.aborted) return Promise.reject(new AppError('BUILD_CANCELLED'));
  const [cmd, ...args] = argv;
  const maxStdout = options.maxStdoutBytes ?? DEFAULT_MAX_STDOUT;

  return new Promise<ExecResult>((resolve, reject) => {
    // `nice` execs the tool, so the niceness holds for it and everything it starts.
    const prefix = dieWithDaemonPrefix();
    const niced = [...prefix, ...(options.niceness ? ['nice', '-n', String(options.niceness), cmd, ...args] : [cmd, ...args])];
    const child = spawn(niced[0], niced.slice(1), {
      cwd: options.cwd,
      env: options.env ? { ...process.env, ...options.env } : process.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Written down while it runs, so a restart after a hard crash can kill what is left of it.
    const untrack = trackProcessGroup(child.pid);
    let stdout = '';
    let stdoutBytes = 0;
    const stderrTail: string[] = [];
    let stderrAll = '';
    let finished = false;
    let killedFor: 'abort' | 'timeout' | null = null;

    const killGroup = () => {
      if (child.pid === undefined) return;
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 3000).unref();
    };
    const onAbort = () => { killedFor = 'abort'; killGroup(); };
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = options.timeoutMs
      ? setTimeout(() => { killedFor = 'timeout'; killGroup(); }, options.timeoutMs)
      : undefined;

    const lineSplitter = (stream: 'stdout' | 'stderr') => {
      let partial = '';
      return (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        if (stream === 'stdout') {
          if (stdoutBytes < maxStdout) stdout += text.slice(0, maxStdout - stdoutBytes);
          stdoutBytes += chunk.length;
        } else if (stderrAll.length < 1024 * 1024) {
          stderrAll += text;
        }
        // A lone \r ends a line too: progress meters (qemu-img -p) redraw with it and never print \n.
        const lines = (partial + text).split(/\r\n|\r(?!$)|\n/);
        partial = lines.pop() ?? '';
        if (partial.endsWith('\r')) { lines.push(partial.slice(0, -1)); partial = ''; }
        for (const line of lines) emit(line, stream);
      };
    };
    const emit = (line: string, stream: 'stdout' | 'stderr') => {
      if (stream === 'stderr' && line.trim()) {
        stderrTail.push(line);
        if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      }
      options.onLine?.(line, stream);
    };
    child.stdout!.on('data', lineSplitter('stdout'));
    child.stderr!.on('data', lineSplitter('stderr'));
    child.stdin!.on('error', () => { /* the tool may exit before reading its input */ });
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();

    const done = (fn: () => void) => {
      if (finished) return;
      finished = true;
      untrack();
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    child.on('error', (err: NodeJS.ErrnoException) => done(() => {
      if (err.code === 'ENOENT') {
        reject(new AppError('TOOL_MISSING', `${cmd}: command not found`, { cause: err }));
      } else {
        reject(new AppError('TOOL_FAILED', `${cmd}: ${err.message}`, { cause: err }));
      }
    }));
    child.on('close', (code, sig) => done(() => {
      if (killedFor === 'abort') return reject(new AppError('BUILD_CANCELLED', `${cmd} was stopped: the build was cancelled`));
      if (killedFor === 'timeout') return reject(new AppError('TOOL_FAILED', `${cmd} timed out after ${Math.round(options.timeoutMs! / 1000)} s`));
      const exit = code ?? -1;
      if ((options.niceness || prefix.length) && exit === 127 && /No such file or directory/.test(stderrTail.join('\n'))) {
        return reject(new AppError('TOOL_MISSING', `${cmd}: command not found`));
      }
      if (exit !== 0) {
        const why = stderrTail.length ? stderrTail.join('\n') : `killed by ${sig ?? 'signal'}`;
        return reject(new AppError('TOOL_FAILED', `${cmd} failed (exit ${exit}): ${why}`, { details: { argv: [...argv], exit } }));
      }
      resolve({ stdout, stderr: stderrAll, code: exit });
    }));
  });
}

/** Whether an executable is on PATH. */
export async function hasCommand(command: string): Promise<boolean> {
  const { access } = await import('node:fs/promises');
  const { constants } = await import('node:fs');
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  for (const dir of dirs) {
    try { await access(`${dir}/${command}`, constants.X_OK); return true; } catch { /* next */ }
  }
  return false;
}
