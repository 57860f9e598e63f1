import { readFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { EXIT_OK, EXIT_USAGE, type CliContext, type CliEnv, type CliIo, type CommandBody, type OutputMode } from './cli-context.js';
import { baseImageCommand } from './commands/base-image.js';
import { deleteCommand } from './commands/delete.js';
import { downloadCommand } from './commands/download.js';
import { imagesCommand } from './commands/images.js';
import { importBaseImageCommand } from './commands/import-base-image.js';
import { logCommand } from './commands/log.js';
import { pluginsCommand } from './commands/plugins.js';
import { workersCommand } from './commands/workers.js';
import { providerImageCommand } from './commands/provider-image.js';
import { targetImageCommand } from './commands/target-image.js';
import { targetsCommand } from './commands/targets.js';
import { HttpError, ImageFactoryClient } from './http-client.js';
import { extractParameterArgs, UsageError, type ParameterArg } from './parameters.js';
import { createDisplay, type ProgressMode } from './progress-display.js';

export const DEFAULT_URL = 'https://localhost:8075/imagefactory';

interface GlobalOptions {
  url: string;
  key?: string;
  secret?: string;
  cacert?: string;
  insecure?: boolean;
  output: OutputMode;
  nowait?: boolean;
  wait?: boolean;
  pollInterval: string;
  progress: ProgressMode;
  quiet?: boolean;
}

/**
 * The `imagefactory` command line: parses argv, runs one subcommand against a daemon over
 * HTTP(S), and resolves to the exit code (0 COMPLETE/success, 1 FAILED build, 2 usage or HTTP error).
 */
export async function runCli(argv: readonly string[], env: CliEnv, io: CliIo, version: string): Promise<number> {
  let exitCode = EXIT_OK;
  let parameterArgs: ParameterArg[];
  let rest: string[];
  try {
    ({ argv: rest, parameters: parameterArgs } = extractParameterArgs(argv));
  } catch (e) {
    io.stderr.write(`imagefactory: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }

  const run = async (command: Command, body: CommandBody): Promise<void> => {
    let ctx: CliContext | undefined;
    try {
      ctx = await contextFor(command.optsWithGlobals<GlobalOptions>(), io, parameterArgs);
      exitCode = await body(ctx);
    } catch (e) {
      exitCode = failure(e, io);
    } finally {
      await ctx?.client.close();
    }
  };

  const program = new Command('imagefactory')
    .description('Command-line client of the image factory daemon (imagefactoryd)')
    .version(version)
    .addOption(new Option('--url <url>', 'the daemon\'s API root (env IMAGEFACTORY_URL)').default(env.url ?? DEFAULT_URL))
    .addOption(new Option('--key <key>', 'OAuth consumer key (env IMAGEFACTORY_OAUTH_KEY)').default(env.key))
    .addOption(new Option('--secret <secret>', 'OAuth consumer secret (env IMAGEFACTORY_OAUTH_SECRET)').default(env.secret))
    .option('--cacert <file>', 'PEM certificate(s) to trust, e.g. the daemon\'s <data_dir>/tls/imagefactoryd.crt')
    .option('--insecure', 'do not verify the daemon\'s TLS certificate')
    .addOption(new Option('--output <mode>', 'result format').choices(['log', 'json']).default('log'))
    .option('--nowait', 'return as soon as an image is created (or a delete is accepted) instead of waiting for the build (or the deletion)')
    .option('--wait', 'wait for the build (or the deletion) to end, showing its progress (the default; overrides --nowait)')
    .addOption(new Option('--progress <mode>', 'progress on stderr: bars on a terminal, plain lines in a pipe (auto), or json lines for scripts, or none').choices(['auto', 'bar', 'plain', 'json', 'none']).default('auto'))
    .option('-q, --quiet', 'no progress or notes on stderr, only results and errors (same as --progress none)')
    .addOption(new Option('--poll-interval <ms>', 'milliseconds between status polls').default('2000').hideHelp())
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run "imagefactory --help" for usage)');

  for (const make of [baseImageCommand, targetImageCommand, providerImageCommand, importBaseImageCommand, imagesCommand, deleteCommand, pluginsCommand, targetsCommand, logCommand, downloadCommand, workersCommand]) {
    program.addCommand(make(run).exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) }));
  }

  // Listed for --help only: src/main/cli.ts starts the worker process before this parser runs.
  program.addCommand(new Command('worker').description('run a build worker for a build_mode queue daemon (imagefactory worker --help)'));

  try {
    await program.parseAsync(rest, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    return failure(e, io);
  }
  return exitCode;
}

async function contextFor(opts: GlobalOptions, io: CliIo, parameterArgs: ParameterArg[]): Promise<CliContext> {
  if (Boolean(opts.key) !== Boolean(opts.secret)) throw new UsageError('give both --key and --secret (or IMAGEFACTORY_OAUTH_KEY and IMAGEFACTORY_OAUTH_SECRET), or neither');
  let url: URL;
  try { url = new URL(opts.url); } catch { throw new UsageError(`--url: not a URL: ${opts.url}`); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http(s), got ${opts.url}`);
  let ca: string | undefined;
  if (opts.cacert) {
    try { ca = await readFile(opts.cacert, 'utf8'); } catch (e) { throw new UsageError(`--cacert: cannot read ${opts.cacert}: ${(e as Error).message}`); }
  }
  const pollMs = Number(opts.pollInterval);
  return {
    client: new ImageFactoryClient({
      url: opts.url, ca, insecure: opts.insecure,
      consumer: opts.key && opts.secret ? { key: opts.key, secret: opts.secret } : undefined,
    }),
    io,
    output: opts.output,
    nowait: Boolean(opts.nowait) && !opts.wait,
    pollMs: Number.isFinite(pollMs) && pollMs >= 10 ? pollMs : 2000,
    parameterArgs,
    display: createDisplay(opts.quiet ? 'none' : opts.progress, io.stderr),
  };
}

/** Usage and HTTP errors print the message and exit 2; anything else (a bug) prints its stack, also 2. */
function failure(e: unknown, io: CliIo): number {
  if (e instanceof UsageError || e instanceof HttpError) {
    io.stderr.write(`imagefactory: ${e.message}\n`);
    return EXIT_USAGE;
  }
  io.stderr.write(`imagefactory: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
  return EXIT_USAGE;
}
