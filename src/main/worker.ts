import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { loadConfig, redactConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { ImageEvents } from '../core/builds/image-events.js';
import { StatusWriter } from '../core/builds/status-writer.js';
import type { BuildDeps } from '../core/builds/build-deps.js';
import { capabilitiesOf } from '../core/jobs/image-job-spec.js';
import { JobWorker } from '../core/jobs/job-worker.js';
import type { BootTester } from '../core/ports/boot-tester.js';
import type { Logger } from '../core/ports/logger.js';
import { AppError, isAppError } from '../domain/errors.js';
import { bootTest, type BootDiskFormat } from '../platform/boot-test.js';
import { CredentialSets } from '../platform/credential-sets.js';
import { createExec, hasCommand } from '../platform/exec.js';
import { kvmUsable } from '../platform/kvm-probe.js';
import { createLogger } from '../platform/logger.js';
import { PluginRegistry } from '../plugins/registry.js';
import type { OsPlugin, ProviderPlugin, TargetPlugin } from '../plugins/sdk/index.js';
import { PgBossJobQueue } from '../queue/pg-boss-job-queue.js';
import { PgWorkerRegistry } from '../queue/pg-worker-registry.js';
import { openPostgresDatabase } from '../store/database.js';
import { KyselyImageStore } from '../store/kysely-image-store.js';
import { openArtifactStore } from './artifact-store.js';
import { buildSettings } from './build-settings.js';
import { builtinPlugins } from './builtin-plugins.js';
import { parseDaemonFlags } from './daemon-options.js';
import { VERSION } from './version.js';

export interface WorkerOptions {
  config: Config;
  logger: Logger;
  plugins: { os: readonly OsPlugin[]; cloud: readonly TargetPlugin[]; providers?: readonly ProviderPlugin[] };
  env?: NodeJS.ProcessEnv;
  bootTester?: BootTester;
}

export interface RunningWorker {
  id: string;
  capabilities: readonly string[];
  /** Graceful stop: running builds get `graceMs` to finish, then go back to the queue. */
  stop(graceMs: number): Promise<void>;
}

const BUILD_NICENESS = 10;

/**
 * The worker's composition: the shared PostgreSQL database (images and jobs), the artifact store,
 * this machine's plugins (what they can build decides which jobs it takes). No port is opened.
 */
export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const { config, logger } = opts;
  if (!config.database_url) throw new AppError('CONFIG_INVALID', 'config key "database_url": a worker needs the shared PostgreSQL database (postgres://...)');
  const dataDir = config.data_dir;
  const artifacts = await openArtifactStore(config);
  const tmpdir = config.tmpdir || join(dataDir, 'tmp');
  await mkdir(tmpdir, { recursive: true });
  const db = await openPostgresDatabase(config.database_url, config.worker_concurrency + 2);
  const policy = { leaseSeconds: config.job_lease_seconds, retryDelaySeconds: config.job_retry_delay_seconds };
  let queue: PgBossJobQueue | undefined;
  let registry: PgWorkerRegistry | undefined;
  try {
    queue = await PgBossJobQueue.open({ connectionString: config.database_url, policy, supervise: true });
    registry = await PgWorkerRegistry.open(config.database_url);
  } catch (e) {
    await queue?.close();
    await db.destroy();
    throw e;
  }
  const store = new KyselyImageStore(db);
  const status = new StatusWriter(store, new ImageEvents());
  const plugins = await PluginRegistry.load(opts.plugins.os, opts.plugins.cloud, hasCommand, opts.plugins.providers ?? []);
  for (const e of plugins.entries()) if (e.error) logger.warn({ plugin: e.id }, e.error);
  const credentials = CredentialSets.open({
    file: config.credentials_file || join(dataDir, 'credentials.json'),
    required: Boolean(config.credentials_file),
    env: opts.env ?? process.env,
  });
  const deps: BuildDeps = {
    store, artifacts, plugins, status, logger, credentials,
    execFactory: ({ signal, onLine }) => createExec({ signal, onLine: (line) => onLine(line), env: { TMPDIR: tmpdir }, niceness: BUILD_NICENESS }),
    bootTester: opts.bootTester ?? ((r) => bootTest({ ...r, format: r.format as BootDiskFormat, exec: createExec({ signal: r.signal }) })),
    kvmUsable,
    settings: buildSettings(config, tmpdir, config.worker_concurrency),
  };
  const id = config.worker_id || `${hostname()}-${process.pid}`;
  const capabilities = capabilitiesOf(plugins, await hasCommand('qemu-img'));
  const worker = new JobWorker(queue, registry, deps, {
    id, hostname: hostname(), pid: process.pid, capabilities, concurrency: config.worker_concurrency,
    heartbeatMs: Math.max(500, (config.job_lease_seconds * 1000) / 4), pollMs: 1000,
  });
  await worker.start();
  return {
    id,
    capabilities,
    async stop(graceMs: number) {
      await worker.stop(graceMs);
      await queue!.close();
      await registry!.close();
      artifacts.close?.();
      await db.destroy();
    },
  };
}

/** `imagefactory worker` / bin/imagefactory-worker: run until SIGTERM or SIGINT. */
export async function main(argv: string[]): Promise<void> {
  let config: Config;
  try {
    config = loadConfig({
      flags: parseDaemonFlags(argv, VERSION, 'imagefactory worker', 'Build worker: takes build jobs from the shared PostgreSQL queue (build_mode queue)'),
      env: process.env,
    });
  } catch (e) {
    process.stderr.write(`imagefactory worker: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.debug ? 'debug' : config.verbose ? 'info' : 'warn' });
  logger.info({ config: redactConfig(config) }, 'effective configuration');
  let running: RunningWorker;
  try {
    running = await startWorker({ config, logger, plugins: builtinPlugins() });
  } catch (e) {
    process.stderr.write(`imagefactory worker: ${isAppError(e) ? e.message : (e as Error).stack ?? e}\n`);
    process.exit(isAppError(e) && e.category === 'invalid-input' ? 2 : 1);
  }
  process.stderr.write(`imagefactory worker ${running.id} (${VERSION}) ready; capabilities: ${running.capabilities.join(' ')}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`imagefactory worker ${running.id}: ${signal}: taking no more jobs; running builds get ${config.worker_grace_seconds} s to finish\n`);
    running.stop(config.worker_grace_seconds * 1000)
      .catch((e) => logger.error({ err: e }, 'worker shutdown failed'))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
