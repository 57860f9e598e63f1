import type { ImageFactoryClient } from './http-client.js';
import type { ParameterArg } from './parameters.js';
import type { Display, DisplayStream } from './progress-display.js';

/** Where the CLI writes: stdout for results, stderr for progress and errors. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  /** process.stderr in the real CLI: progress bars need its TTY-ness and cursor control. */
  stderr: DisplayStream;
}

/** Defaults taken from the environment by src/main/cli.ts (nothing else reads process.env). */
export interface CliEnv {
  url?: string;
  key?: string;
  secret?: string;
}

export type OutputMode = 'log' | 'json';

/** What every command gets: a connected client, the output mode and the parsed extras. */
export interface CliContext {
  client: ImageFactoryClient;
  io: CliIo;
  output: OutputMode;
  /** Return once the image is created instead of waiting for COMPLETE/FAILED. */
  nowait: boolean;
  /** Delay between status polls. */
  pollMs: number;
  /** The `--parameter`/`--file-parameter` pairs taken out of argv before parsing. */
  parameterArgs: readonly ParameterArg[];
  /** Progress and notes on stderr: bars on a terminal, lines in a pipe, JSON lines, or nothing (--quiet). */
  display: Display;
}

/** A command body: resolves to the process exit code. */
export type CommandBody = (ctx: CliContext) => Promise<number>;

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Pretty JSON on stdout (--output json). */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Runs a command body with the context built from the command's (global) options. */
export type Runner = (command: import('commander').Command, body: CommandBody) => Promise<void>;
