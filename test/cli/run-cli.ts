import { spawn } from 'node:child_process';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ENTRY = new URL('../../src/main/cli.ts', import.meta.url).pathname;

/** Runs the real `imagefactory` entry point in a child process (through tsx, so no build is needed). */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
      cwd: new URL('../..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The fields of the "Final Image Details" block, parsed as the original's users parse it. */
export function finalDetails(stdout: string): Record<string, string> {
  const block = stdout.split('============ Final Image Details ============')[1];
  if (block === undefined) throw new Error(`no Final Image Details block in:\n${stdout}`);
  const fields: Record<string, string> = {};
  for (const line of block.split('\n')) {
    const m = /^([A-Za-z][A-Za-z ]*): (.*)$/.exec(line);
    if (m) fields[m[1]] = m[2];
  }
  return fields;
}
