import { spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, redactConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { isAppError } from '../domain/errors.js';
import { createLogger } from '../platform/logger.js';
import { loadTlsMaterial } from '../platform/tls-certificate.js';
import { catalogSurfaces } from './catalog-surfaces.js';
import { builtinPlugins } from './builtin-plugins.js';
import { createContainer } from './container.js';
import { parseDaemonFlags } from './daemon-options.js';
import { VERSION } from './version.js';

/** imagefactoryd: parse flags and config, then serve (or detach into the background first). */
export async function main(argv: string[]): Promise<void> {
  let config: Config;
  try {
    config = loadConfig({ flags: parseDaemonFlags(argv, VERSION), env: process.env });
    if (config.secondary) throw new Error('--secondary (secondary factory mode) is not supported');
  } catch (e) {
    process.stderr.write(`imagefactoryd: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (!config.foreground && !process.env.IMAGEFACTORYD_DETACHED) return detach(config, argv);
  await serve(config);
}

async function serve(config: Config): Promise<void> {
  mkdirSync(config.data_dir, { recursive: true });
  // Detached, stdout and stderr are already <data_dir>/log/imagefactoryd.log (see detach()), so the
  // log lines and the daemon's own messages land in the one file.
  const logger = createLogger({ level: config.debug ? 'debug' : config.verbose ? 'info' : 'warn' });
  try {
    // Whatever the level: an operator must be able to see what the daemon actually runs with.
    logger.child({}, { level: 'info' }).info({ config: redactConfig(config) }, 'effective configuration');
    const https = config.no_ssl ? null : await loadTlsMaterial(config.ssl_pem, config.data_dir);
    const container = await createContainer({ config, logger, plugins: builtinPlugins(), https, surfaces: catalogSurfaces(), recordToolProcessGroups: true });
    const address = await container.app.listen({ port: config.port, host: config.address });
    const pidFile = join(config.data_dir, 'imagefactoryd.pid');
    writeFileSync(pidFile, `${process.pid}\n`);
    // Always tell the operator where the API is, whatever the log level.
    process.stderr.write(`imagefactoryd ${VERSION} listening on ${address}/imagefactory (${https ? `TLS certificate ${https.certPath}` : 'plain HTTP'}, OAuth ${config.no_oauth ? 'off' : 'on'})\n`);
    if (!config.no_oauth && Object.keys(config.clients).length === 0) {
      process.stderr.write('imagefactoryd: OAuth is on but no clients are configured: every protected request will get 401 (set "clients" in the config file, or run with --no_oauth)\n');
    }
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.warn({ signal }, 'stopping: running builds are marked FAILED');
      container.shutdown(signal)
        .catch((e) => logger.error({ err: e }, 'shutdown failed'))
        .finally(() => { rmSync(pidFile, { force: true }); process.exit(0); });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  } catch (e) {
    process.stderr.write(`imagefactoryd: ${isAppError(e) ? e.message : (e as Error).stack ?? e}\n`);
    process.exit(isAppError(e) ? 2 : 1);
  }
}

/** Without --foreground: start a detached copy whose whole output goes to <data_dir>/log/imagefactoryd.log. */
function detach(config: Config, argv: string[]): void {
  const logDir = join(config.data_dir, 'log');
  mkdirSync(logDir, { recursive: true });
  const out = openSync(join(logDir, 'imagefactoryd.log'), 'a');
  const child = spawn(process.execPath, [process.argv[1], ...argv], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, IMAGEFACTORYD_DETACHED: '1' },
  });
  child.unref();
  writeFileSync(join(config.data_dir, 'imagefactoryd.pid'), `${child.pid}\n`);
  process.stdout.write(`imagefactoryd started in the background (pid ${child.pid}); log: ${logDir}/imagefactoryd.log\n`);
}
