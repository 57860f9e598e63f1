/**
 * The daemon's Prometheus metrics (prom-client). Everything is counted as it happens (image
 * changes, steps, pushes, HTTP requests) or read from in-memory state at scrape time (running and
 * queued builds): a scrape never reads the image catalog, so its cost does not grow with it. The
 * data directory's size comes from a background walk at most once per `diskTtlMs`; a scrape only
 * reads the last result (and starts a refresh when it is stale).
 */
import { lstat, readdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ImageChange } from '../core/builds/image-events.js';
import type { BuildMetrics } from '../core/ports/build-metrics.js';
import type { ImageKind } from '../domain/image.js';

export interface PrometheusMetricsOptions {
  dataDir: string;
  engineLoad: () => { running: number; queued: number };
  /** Target names a label may carry (the loaded plugins'); anything else is "other". */
  knownTarget: (target: string) => boolean;
  /** How old the data directory's size may be before a scrape starts a new walk (default 60 s). */
  diskTtlMs?: number;
}

const BUILD_BUCKETS = [5, 15, 30, 60, 120, 180, 300, 600, 1200, 2400, 3600, 7200];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class PrometheusMetrics implements BuildMetrics {
  readonly registry = new Registry();
  private readonly builds: Counter<'kind' | 'target' | 'status'>;
  private readonly buildSeconds: Histogram<'kind' | 'target' | 'status'>;
  private readonly stepSeconds: Histogram<'kind' | 'step'>;
  private readonly pushBytesTotal: Counter<'provider'>;
  private readonly pushErrors: Counter<'provider'>;
  private readonly httpRequests: Counter<'method' | 'route' | 'status_code'>;
  private readonly httpSeconds: Histogram<'method' | 'route'>;
  private readonly cacheHits: Counter<'cache'>;
  private readonly cacheMisses: Counter<'cache'>;
  private readonly buildingSince = new Map<string, bigint>();
  private disk = { bytes: 0, at: 0, walking: null as Promise<void> | null };

  constructor(private readonly o: PrometheusMetricsOptions) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.builds = new Counter({ name: 'imagefactory_builds_total', help: 'Builds that ended, by image kind, target and final status (COMPLETE or FAILED).', labelNames: ['kind', 'target', 'status'], registers });
    this.buildSeconds = new Histogram({ name: 'imagefactory_build_duration_seconds', help: 'Time from BUILDING to COMPLETE or FAILED.', labelNames: ['kind', 'target', 'status'], buckets: BUILD_BUCKETS, registers });
    this.stepSeconds = new Histogram({ name: 'imagefactory_build_step_duration_seconds', help: 'Duration of one build step: queue (waiting for a parent and a slot), install, boot_test, convert, push.', labelNames: ['kind', 'step'], buckets: BUILD_BUCKETS, registers });
    this.pushBytesTotal = new Counter({ name: 'imagefactory_push_bytes_total', help: 'Bytes provider plugins sent to image services.', labelNames: ['provider'], registers });
    this.pushErrors = new Counter({ name: 'imagefactory_push_errors_total', help: 'Pushes that failed, by provider plugin.', labelNames: ['provider'], registers });
    this.httpRequests = new Counter({ name: 'imagefactory_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code.', labelNames: ['method', 'route', 'status_code'], registers });
    this.httpSeconds = new Histogram({ name: 'imagefactory_http_request_duration_seconds', help: 'Time to answer an HTTP request, by method and route pattern.', labelNames: ['method', 'route'], buckets: HTTP_BUCKETS, registers });
    this.cacheHits = new Counter({ name: 'imagefactory_cache_hits_total', help: 'Base image builds served from the build cache (an unchanged template reused a COMPLETE base image).', labelNames: ['cache'], registers });
    this.cacheMisses = new Counter({ name: 'imagefactory_cache_misses_total', help: 'Base image builds that installed the OS because no cached base image matched.', labelNames: ['cache'], registers });
    const load = this.o.engineLoad;
    new Gauge({ name: 'imagefactory_builds_running', help: 'Builds holding a build or push slot now.', registers, collect() { this.set(load().running); } });
    new Gauge({ name: 'imagefactory_builds_queued', help: 'Builds waiting for a parent image or a free slot.', registers, collect() { this.set(load().queued); } });
    const metrics = this;
    new Gauge({
      name: 'imagefactory_data_dir_bytes', help: 'Disk space used by the data directory (allocated blocks; refreshed in the background at most once a minute).', registers,
      collect() { this.set(metrics.dataDirBytes()); },
    });
    const fsSize = new Gauge({ name: 'imagefactory_data_dir_filesystem_size_bytes', help: 'Size of the filesystem holding the data directory.', registers });
    const fsFree = new Gauge({ name: 'imagefactory_data_dir_filesystem_free_bytes', help: 'Space available to the daemon on the filesystem holding the data directory.', registers });
    // statfs is one system call: cheap enough for every scrape.
    new Gauge({
      name: 'imagefactory_data_dir_bytes_age_seconds', help: 'Age of the data directory size shown (0 until the first walk ends).', registers,
      async collect() {
        const s = await statfs(metrics.o.dataDir).catch(() => null);
        if (s) { fsSize.set(s.blocks * s.bsize); fsFree.set(s.bavail * s.bsize); }
        this.set(metrics.disk.at ? (Date.now() - metrics.disk.at) / 1000 : 0);
      },
    });
  }

  /** Feed of every persisted image change (subscribe to ImageEvents). */
  observeImageChange({ image, previousStatus }: ImageChange): void {
    if (!previousStatus) return;
    if (image.status === 'BUILDING') {
      this.buildingSince.set(image.id, process.hrtime.bigint());
      return;
    }
    if (image.status === 'DELETING' || image.status === 'DELETED') this.buildingSince.delete(image.id); // cancelled
    if (image.status !== 'COMPLETE' && image.status !== 'FAILED') return;
    const labels = { kind: image.kind, target: this.targetLabel(image.kind, image.target), status: image.status };
    this.builds.inc(labels);
    const since = this.buildingSince.get(image.id);
    this.buildingSince.delete(image.id);
    if (since !== undefined) this.buildSeconds.observe(labels, Number(process.hrtime.bigint() - since) / 1e9);
    if (image.kind === 'base_image' && image.status === 'COMPLETE' && !image.properties.import) {
      if (typeof image.properties.cached_from === 'string') this.cacheHits.inc({ cache: 'base_image' });
      else this.cacheMisses.inc({ cache: 'base_image' });
    }
  }

  stepFinished(kind: ImageKind, step: string, seconds: number): void {
    this.stepSeconds.observe({ kind, step }, seconds);
  }

  pushBytes(provider: string, bytes: number): void {
    if (bytes > 0) this.pushBytesTotal.inc({ provider }, bytes);
  }

  pushFailed(provider: string): void {
    this.pushErrors.inc({ provider });
  }

  /** One answered HTTP request; `route` is the route pattern (never the raw URL: bounded labels). */
  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status_code: String(statusCode) });
    this.httpSeconds.observe({ method, route }, seconds);
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The last walk's answer; starts a new walk in the background when it is stale. */
  private dataDirBytes(): number {
    if (Date.now() - this.disk.at > (this.o.diskTtlMs ?? 60_000)) void this.refreshDiskUsage();
    return this.disk.bytes;
  }

  /** Walks the data directory now (one walk at a time) and resolves when its size is recorded. */
  refreshDiskUsage(): Promise<void> {
    this.disk.walking ??= allocatedBytes(this.o.dataDir)
      .then((bytes) => { this.disk.bytes = bytes; this.disk.at = Date.now(); })
      .catch(() => undefined)
      .finally(() => { this.disk.walking = null; });
    return this.disk.walking;
  }

  private targetLabel(kind: ImageKind, target: string | null): string {
    if (kind === 'base_image' || !target) return '';
    return this.o.knownTarget(target) ? target : 'other';
  }
}

/** Bytes allocated to the files under `dir` (st_blocks: sparse disks count what they use). */
async function allocatedBytes(dir: string): Promise<number> {
  let total = 0;
  const pending = [dir];
  while (pending.length) {
    const d = pending.pop()!;
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) pending.push(p);
      const st = await lstat(p).catch(() => null);
      if (st) total += st.blocks * 512;
    }
  }
  return total;
}
