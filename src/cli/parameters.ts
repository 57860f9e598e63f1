import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';

/** One `--parameter NAME VALUE` or `--file-parameter NAME FILE`, in command-line order. */
export interface ParameterArg {
  kind: 'value' | 'file';
  name: string;
  value: string;
}

/** Usage problems the CLI reports with exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const TWO_VALUE_FLAGS: Record<string, ParameterArg['kind']> = { '--parameter': 'value', '--file-parameter': 'file' };

/**
 * Takes the two-value flags out of argv (argparse's nargs=2, which commander lacks) before
 * commander parses the rest. Stops at `--`.
 */
export function extractParameterArgs(argv: readonly string[]): { argv: string[]; parameters: ParameterArg[] } {
  const rest: string[] = [];
  const parameters: ParameterArg[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { rest.push(...argv.slice(i)); break; }
    const kind = TWO_VALUE_FLAGS[arg];
    if (!kind) { rest.push(arg); continue; }
    if (i + 2 >= argv.length) throw new UsageError(`${arg} needs two values: NAME ${kind === 'file' ? 'FILE' : 'VALUE'}`);
    parameters.push({ kind, name: argv[i + 1], value: argv[i + 2] });
    i += 2;
  }
  return { argv: rest, parameters };
}

/**
 * The `parameters` object of a request: the `--parameters` JSON file first, then each
 * `--parameter` (a string) and `--file-parameter` (the file's text) in order, later ones winning.
 */
export async function buildParameters(file: string | undefined, args: readonly ParameterArg[]): Promise<Record<string, unknown>> {
  let params: Record<string, unknown> = {};
  if (file) {
    const text = await readText(file, '--parameters');
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch (e) { throw new UsageError(`--parameters ${file}: not valid JSON (${(e as Error).message})`); }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--parameters ${file}: must hold a JSON object`);
    params = { ...(parsed as Record<string, unknown>) };
  }
  for (const arg of args) {
    params[arg.name] = arg.kind === 'file' ? await readText(arg.value, `--file-parameter ${arg.name}`) : arg.value;
  }
  return params;
}

/** Reads a file the user named, turning a missing file into a usage error that names the flag. */
export async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** `--parameters FILE` plus help for the two-value flags (taken out of argv before commander). */
export function withParameterOptions(command: Command): Command {
  return command
    .option('--parameters <file>', 'JSON file holding an object of build parameters')
    .addHelpText('after', '\nParameters (repeatable, later ones win over --parameters):\n  --parameter NAME VALUE       set parameter NAME to the string VALUE\n  --file-parameter NAME FILE   set parameter NAME to the contents of FILE (e.g. install_script ks.cfg)\n');
}
