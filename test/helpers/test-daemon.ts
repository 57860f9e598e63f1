import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigName } from '../../src/config/schema.js';
import { createContainer, type Container, type ContainerOptions } from '../../src/main/container.js';
import { mockCloudPlugin, mockProvider } from '../doubles/mock-cloud-plugin.js';
import { mockOsPlugin } from '../doubles/mock-os-plugin.js';
import { createDatabaseIfMissing } from './postgres-server.js';

export interface TestDaemon {
  url: string;
  dataDir: string;
  container: Container;
  stop(): Promise<void>;
}

export interface TestDaemonOptions {
  /** Keys written to the JSON config file (file-only keys such as clients go here). */
  file?: Record<string, unknown>;
  /** Command-line style overrides. */
  flags?: Partial<Record<ConfigName, unknown>>;
  dataDir?: string;
  plugins?: ContainerOptions['plugins'];
  https?: ContainerOptions['https'];
  surfaces?: ContainerOptions['surfaces'];
  /** Environment the daemon reads credential sets from (IMAGEFACTORY_CREDENTIAL_SET_<NAME>). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The daemon's real composition (store, engine, API) listening on loopback, with test-double
 * plugins unless others are given. OAuth is off unless `flags.no_oauth` is false.
 */
export async function startTestDaemon(opts: TestDaemonOptions = {}): Promise<TestDaemon> {
  const dataDir = opts.dataDir ?? await mkdtemp(join(tmpdir(), 'if-test-'));
  const configPath = join(dataDir, 'test.conf');
  await writeFile(configPath, JSON.stringify(opts.file ?? {}));
  const config = loadConfig({
    flags: { config: configPath, data_dir: dataDir, no_ssl: true, no_oauth: true, port: 0, address: '127.0.0.1', boot_test: false, ...await testDatabase(dataDir), ...opts.flags },
    env: {},
  });
  const container = await createContainer({
    config,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    plugins: opts.plugins ?? { os: [mockOsPlugin], cloud: [mockCloudPlugin], providers: [mockProvider] },
    https: opts.https,
    surfaces: opts.surfaces,
    env: opts.env ?? {},
  });
  const address = await container.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: address,
    dataDir,
    container,
    async stop() {
      await container.shutdown('SIGTERM');
    },
  };
}

/**
 * With IMAGEFACTORY_TEST_DATABASE_URL=postgres://.../postgres every test daemon uses a PostgreSQL
 * database of its own on that server instead of SQLite: one per data directory, so a daemon restarted
 * on the same directory finds its images again (test/postgres/api-on-postgres.test.ts sets it).
 */
async function testDatabase(dataDir: string): Promise<{ database_url?: string }> {
  const server = process.env.IMAGEFACTORY_TEST_DATABASE_URL;
  if (!server) return {};
  const name = `if_${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
  await createDatabaseIfMissing(server, name);
  return { database_url: server.replace(/\/[^/]*$/, `/${name}`) };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A TDL for the MockOS double. */
export function mockTemplate(name = 'mock-image', extra = ''): string {
  return `<template>
  <name>${name}</name>
  <os>
    <name>MockOS_A</name>
    <version>1</version>
    <arch>x86_64</arch>
    <install type="url"><url>http://mirror.invalid/mock</url></install>
    <rootpw>secret-root-pw</rootpw>
  </os>${extra}
</template>`;
}

/** Polls an image until its status is one of `statuses`. */
export async function waitForStatus(url: string, path: string, statuses: string[], timeoutMs = 30_000, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}${path}`, { headers });
    if (res.status === 200) {
      const doc = (await res.json()) as Record<string, Record<string, unknown>>;
      const image = Object.values(doc)[0];
      if (statuses.includes(image.status as string)) return image;
    } else if (statuses.includes(`HTTP ${res.status}`)) {
      return { http: res.status };
    }
    if (Date.now() > deadline) throw new Error(`${path} did not reach ${statuses.join('|')} in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
