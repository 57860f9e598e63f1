import type { ArtifactStore } from '../ports/artifact-store.js';
import type { BootTester } from '../ports/boot-tester.js';
import type { BuildMetrics } from '../ports/build-metrics.js';
import type { CredentialStore } from '../ports/credential-store.js';
import type { ImageStore } from '../ports/image-store.js';
import type { Logger } from '../ports/logger.js';
import type { PluginCatalog } from '../ports/plugin-catalog.js';
import type { ExecFactory } from './build-context-factory.js';
import type { StatusWriter } from './status-writer.js';

/** The build engine's slice of the configuration. */
export interface BuildSettings {
  maxConcurrentBuilds: number;
  maxConcurrentPushes: number;
  stepTimeoutMs: number;
  bootTest: boolean;
  bootTestTimeoutMs: number;
  buildCache: boolean;
  /** Daemon config keys target plugins read (openstack_image_format, rhevm_image_format...). */
  targetConfig: Readonly<Record<string, unknown>>;
}

export interface BuildDeps {
  store: ImageStore;
  artifacts: ArtifactStore;
  plugins: PluginCatalog;
  bootTester: BootTester;
  status: StatusWriter;
  /** Named credential sets that provider images may reference. */
  credentials: CredentialStore;
  execFactory: ExecFactory;
  logger: Logger;
  /** Whether KVM works here (probed once by trying it). */
  kvmUsable: () => Promise<boolean>;
  settings: BuildSettings;
  /** Step durations and push bytes for /metrics (absent in tests that do not look). */
  metrics?: BuildMetrics;
}
