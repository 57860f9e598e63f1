import { pathToFileURL } from 'node:url';
import { runCli } from '../cli/program.js';
import { VERSION } from './version.js';

/**
 * `imagefactory`: the command-line client. Only here is the environment read (IMAGEFACTORY_URL,
 * IMAGEFACTORY_OAUTH_KEY, IMAGEFACTORY_OAUTH_SECRET); the commands live in src/cli.
 */
export async function main(argv: string[]): Promise<void> {
  // `imagefactory worker` is no HTTP client: it is the build worker process itself.
  if (argv[0] === 'worker') return (await import('./worker.js')).main(argv.slice(1));
  const code = await runCli(argv, {
    url: process.env.IMAGEFACTORY_URL || undefined,
    key: process.env.IMAGEFACTORY_OAUTH_KEY || undefined,
    secret: process.env.IMAGEFACTORY_OAUTH_SECRET || undefined,
  }, { stdout: process.stdout, stderr: process.stderr }, VERSION);
  process.exitCode = code;
}

// Run directly (`node --import tsx src/main/cli.ts ...`); bin/imagefactory imports and calls main().
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main(process.argv.slice(2));
