import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.js';
import { DashboardSessions } from '../api/dashboard/sessions.js';
import type { AuthDeps } from '../api/imagefactory/authenticate.js';
import { ImageEventHub } from '../api/imagefactory/event-hub.js';
import { createJeosCatalog } from '../api/imagefactory/jeos.js';
import { OAuthVerifier } from '../api/imagefactory/oauth.js';
import type { Config } from '../config/schema.js';
import { BuildEngine } from '../core/builds/build-engine.js';
import type { BuildDeps } from '../core/builds/build-deps.js';
import { ImageEvents } from '../core/builds/image-events.js';
import { StatusWriter } from '../core/builds/status-writer.js';
import { CallbackDispatcher } from '../core/callbacks/callback-dispatcher.js';
import { ImageCreator } from '../core/images/create-images.js';
import { deleteImage, type DeleteRequest } from '../core/images/delete-image.js';
import { importBaseImage } from '../core/images/import-base-image.js';
import type { ImageKind } from '../domain/image.js';
import type { BootTester } from '../core/ports/boot-tester.js';
import type { ImageStore } from '../core/ports/image-store.js';
import type { Logger } from '../core/ports/logger.js';
import { bootTest, type BootDiskFormat } from '../platform/boot-test.js';
import { pruneCache } from '../platform/cache-pruner.js';
import { PrometheusMetrics } from '../platform/prometheus-metrics.js';
import { metricsApi } from '../api/metrics/index.js';
import { createExec, hasCommand } from '../platform/exec.js';
import { createHttpCallbackSender } from '../platform/http-callback-sender.js';
import { kvmUsable } from '../platform/kvm-probe.js';
import { ProcessGroupLedger, useProcessGroupLedger } from '../platform/process-groups.js';
import { unmountStaleFuseMounts } from '../platform/stale-mounts.js';
import { createTemplateFetcher } from '../platform/template-fetcher.js';
import { CredentialSets } from '../platform/credential-sets.js';
import { PluginRegistry } from '../plugins/registry.js';
import type { OsPlugin, ProviderPlugin, TargetPlugin } from '../plugins/sdk/index.js';
import { openDatabase, type Db } from '../store/database.js';
import { CachedImageStore } from '../store/cached-image-store.js';
import { KyselyImageStore } from '../store/kysely-image-store.js';
import { buildSettings } from './build-settings.js';
import { recoverInterruptedImages } from './recover-interrupted-images.js';
import { openBuildQueue } from './build-queue.js';
import { openArtifactStore } from './artifact-store.js';
import type { ArtifactStore } from '../core/ports/artifact-store.js';
import type { BuildScheduler } from '../core/ports/build-scheduler.js';
import { VERSION } from './version.js';

export interface ContainerOptions {
  config: Config;
  logger: Logger & { child?: unknown };
  plugins: { os: readonly OsPlugin[]; cloud: readonly TargetPlugin[]; providers?: readonly ProviderPlugin[] };
  /** Environment holding IMAGEFACTORY_CREDENTIAL_SET_<NAME> variables (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** TLS material when serving HTTPS. */
  https?: { key: string; cert: string } | null;
  /** Override the boot tester (tests that build with test-double OS plugins). */
  bootTester?: BootTester;
  /**
   * Write down the build tools' process groups in <data_dir>/run/tools, so the next start can kill
   * them after a hard crash (the daemon process sets this; in-process test daemons share one process).
   */
  recordToolProcessGroups?: boolean;
  /** Extra API surfaces (catalog APIs). */
  surfaces?: ((app: FastifyInstance, container: Omit<Container, 'app'>) => Promise<void>)[];
}

export interface Container {
  app: FastifyInstance;
  engine: BuildScheduler;
  store: ImageStore;
  events: ImageEvents;
  /** The event stream's fan-out (also what the event-stream benchmark watches). */
  eventHub: ImageEventHub;
  /** Dashboard log-ins; null with --no_oauth. */
  sessions: DashboardSessions | null;
  /** How API requests are authenticated (OAuth or a dashboard session), for further surfaces. */
  auth: AuthDeps;
  callbacks: CallbackDispatcher;
  db: Db;
  config: Config;
  artifacts: ArtifactStore;
  /** The daemon's Prometheus metrics (served at /metrics unless config metrics is false). */
  metrics: PrometheusMetrics;
  /** The Image Factory delete use-case (catalog APIs delete through it too). */
  deleteImage(kind: ImageKind, id: string, req: DeleteRequest): Promise<void>;
  /** Stops builds (FAILED with the reason), waits for them, closes the database. */
  shutdown(signal: string): Promise<void>;
}

/** Build tools run at this niceness so the API stays responsive while builds use every core. */
const BUILD_NICENESS = 10;

/**
 * Before anything else: the previous daemon may have died hard (kill -9, power loss). Its build
 * tools (own process groups) may still run and its FUSE exports are dead mounts; both go first,
 * so that the record and file recovery that follows works on quiet directories.
 */
async function cleanUpAfterCrash(config: Config, logger: Logger, roots: string[], record: boolean): Promise<void> {
  const ledger = new ProcessGroupLedger(join(config.data_dir, 'run', 'tools'));
  const killed = await ledger.killLeftovers();
  if (killed.length) logger.warn({ processGroups: killed }, 'killed build tools left running by the previous daemon');
  const unmounted = await unmountStaleFuseMounts(roots);
  if (unmounted.length) logger.warn({ mounts: unmounted }, 'unmounted FUSE exports left by the previous daemon');
  if (record) useProcessGroupLedger(ledger, { dieWithDaemon: await hasCommand('setpriv') });
}

/** The composition root: the only place that wires concrete classes together. */
export async function createContainer(opts: ContainerOptions): Promise<Container> {
  const { config, logger } = opts;
  const dataDir = config.data_dir;
  const scratchPath = config.imgdir || join(dataDir, 'images');
  const artifacts = await openArtifactStore(config);
  const tmpdir = config.tmpdir || join(dataDir, 'tmp');
  await mkdir(tmpdir, { recursive: true });
  await cleanUpAfterCrash(config, logger, [dataDir, scratchPath], opts.recordToolProcessGroups ?? false);

  const db = await openDatabase(config.database_url, join(dataDir, 'imagefactory.sqlite'));
  // The daemon is the only writer of its embedded database, so reads can be cached safely; a shared
  // PostgreSQL database has other writers (daemons, workers), so every read goes to it.
  const store = config.database_url ? new KyselyImageStore(db) : new CachedImageStore(new KyselyImageStore(db));
  const events = new ImageEvents();
  const status = new StatusWriter(store, events);
  const callbacks = new CallbackDispatcher(
    createHttpCallbackSender({ retries: config.callback_retries, timeoutMs: config.callback_timeout * 1000, secret: config.callback_secret || undefined }),
    logger,
  );
  callbacks.attach(events);
  // The package download cache cleans itself: at start-up and whenever a base build ends.
  const prune = () => pruneCache(artifacts.cacheDir(), config.cache_max_bytes)
    .then((r) => { if (r.removedFiles) logger.info({ ...r }, 'pruned the download cache'); })
    .catch((e) => logger.warn({ err: e }, 'pruning the download cache failed'));
  void prune();
  events.subscribe(({ image, previousStatus }) => {
    if (image.kind === 'base_image' && previousStatus && (image.status === 'COMPLETE' || image.status === 'FAILED')) void prune();
  });
  const plugins = await PluginRegistry.load(opts.plugins.os, opts.plugins.cloud, hasCommand, opts.plugins.providers ?? []);
  const credentials = CredentialSets.open({
    file: config.credentials_file || join(dataDir, 'credentials.json'),
    required: Boolean(config.credentials_file),
    env: opts.env ?? process.env,
  });
  for (const e of plugins.entries()) if (e.error) logger.warn({ plugin: e.id }, e.error);

  // Tools get TMPDIR (libguestfs, mmdebstrap...) without changing the daemon's own environment.
  const execFactory: BuildDeps['execFactory'] = ({ signal, onLine }) =>
    createExec({ signal, onLine: (line) => onLine(line), env: { TMPDIR: tmpdir }, niceness: BUILD_NICENESS });
  const deps: BuildDeps = {
    store, artifacts, plugins, status, logger, execFactory, credentials,
    bootTester: opts.bootTester ?? ((r) => bootTest({ ...r, format: r.format as BootDiskFormat, exec: createExec({ signal: r.signal }) })),
    kvmUsable,
    settings: buildSettings(config, tmpdir, config.max_concurrent_local_sessions),
  };
  let engineRef: BuildScheduler | undefined;
  const metrics = new PrometheusMetrics({
    dataDir,
    // Running and queued builds of the in-process engine; queue mode reports its queue elsewhere.
    engineLoad: () => (engineRef instanceof BuildEngine ? engineRef.load() : { running: 0, queued: 0 }),
    knownTarget: (t) => plugins.targetPluginFor(t) !== undefined,
  });
  events.subscribe((change) => metrics.observeImageChange(change));
  deps.metrics = metrics;
  // build_mode queue: builds are jobs for worker processes, and unfinished ones survive restarts.
  const queued = config.build_mode === 'queue' ? await openBuildQueue(config, { store, status, events, plugins, logger, publish: artifacts.publish?.bind(artifacts) }) : null;
  const engine: BuildScheduler = queued?.scheduler ?? new BuildEngine(deps);
  engineRef = engine;
  const creator = new ImageCreator({
    store, plugins, engine, credentials, rootpwRequired: config.tdl_require_root_pw, inlineCredentials: !queued,
    fetchTemplate: createTemplateFetcher({ maxBytes: config.template_fetch_max_bytes, timeoutMs: config.fetch_timeout * 1000 }),
  });
  const deleteDeps = { store, artifacts, plugins, engine, status, logger, execFactory, credentials };
  if (queued) await queued.scheduler.resume();
  else await recoverInterruptedImages({ store, status, engine, artifacts, deleteDeps, credentials, tmpdir, dataDir, logger });

  const removeImage = (kind: Parameters<typeof deleteImage>[1], id: string, req: Parameters<typeof deleteImage>[3]) => deleteImage(deleteDeps, kind, id, req);
  const textTable = (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).map(([k, p]) => [k, String(p)]));
  const sessions = config.no_oauth ? null : new DashboardSessions({ clients: textTable(config.clients), users: textTable(config.dashboard_users) });
  const eventHub = new ImageEventHub(events);
  const oauth = config.no_oauth ? null : new OAuthVerifier(config.clients as Record<string, string>);
  const auth: AuthDeps = { oauth, oauthOpenReads: config.oauth_open_reads, sessions };
  const partial = { engine, store, events, eventHub, sessions, auth, callbacks, db, config, artifacts, metrics, deleteImage: removeImage, shutdown: async () => undefined };
  const metricsSurface = async (app: FastifyInstance) => metricsApi(app, {
    render: () => metrics.render(), contentType: metrics.contentType,
    users: textTable(config.metrics_users), token: config.metrics_token,
  });
  const app = await buildApp({
    logger: logger as never,
    bodyLimit: config.max_body_bytes,
    https: opts.https ?? null,
    imagefactory: {
      store, creator, artifacts, plugins,
      deleteImage: removeImage,
      importBaseImage: (req) => importBaseImage({
        store, artifacts, engine, exec: createExec({ env: { TMPDIR: tmpdir } }),
        maxBytes: config.import_max_bytes, maxVirtualBytes: config.import_max_virtual_bytes,
      }, req),
      oauth,
      oauthOpenReads: config.oauth_open_reads,
      sessions,
      events: eventHub,
      jeos: createJeosCatalog(config.jeos_config),
      isBuilding: (id) => engine.isRunning(id),
      version: VERSION,
      workers: queued?.workers,
    },
    onResponse: (method, route, status, seconds) => metrics.httpRequest(method, route, status, seconds),
    surfaces: [
      ...(config.metrics ? [metricsSurface] : []),
      ...(opts.surfaces ?? []).map((s) => (app: FastifyInstance) => s(app, partial)),
    ],
  });

  return {
    ...partial,
    app,
    async shutdown(signal: string) {
      eventHub.close();
      await app.close();
      await engine.shutdown(signal);
      await Promise.race([callbacks.drain(), new Promise((r) => setTimeout(r, 2000))]);
      await queued?.close();
      artifacts.close?.();
      await db.destroy();
    },
  };
}
