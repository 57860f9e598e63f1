/**
 * A real Debian base build (mmdebstrap, disk, GRUB) and its qcow2 target, run by a worker process in
 * build_mode queue. Several minutes, so opt-in: IMAGEFACTORY_TEST_QUEUE_DEBIAN=1 (the same pipeline
 * runs in the daemon in test/e2e/debian-build-api.test.ts; here only the queue path is added).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { builtinPlugins } from '../../src/main/builtin-plugins.js';
import { debianMirrorUrl } from '../../src/platform/apt-sources.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

const enabled = process.env.IMAGEFACTORY_TEST_QUEUE_DEBIAN === '1';

describe('build_mode queue: a real Debian base build on a worker', { skip: !enabled, timeout: 30 * 60_000 }, () => {
  let pg: PostgresServer;
  let dataDir: string;
  let daemon: TestDaemon;
  let worker: WorkerProcess;
  before(async () => {
    pg = await startPostgres();
    const dbUrl = await pg.createDatabase('debian');
    dataDir = await mkdtemp(join(tmpdir(), 'if-qdeb-'));
    daemon = await startTestDaemon({ dataDir, plugins: builtinPlugins(), flags: { database_url: dbUrl, build_mode: 'queue' } });
    await writeFile(join(dataDir, 'worker.conf'), '{}');
    worker = await startWorkerProcess('deb1', { IMAGEFACTORY_CONFIG: join(dataDir, 'worker.conf'), IMAGEFACTORY_DATA_DIR: dataDir, IMAGEFACTORY_DATABASE_URL: dbUrl, IMAGEFACTORY_BOOT_TEST: 'false' });
  });
  after(async () => {
    await worker?.stop('SIGKILL');
    await daemon?.stop();
    await pg?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('template → base image → openstack-kvm target, built by the worker', async () => {
    const template = `<template><name>queue-bookworm</name><os><name>Debian</name><version>bookworm</version><arch>x86_64</arch>
      <install type='url'><url>${await debianMirrorUrl()}</url></install><rootpw>queue-pw</rootpw></os><disk><size>2G</size></disk></template>`;
    const res = await fetch(`${daemon.url}/imagefactory/target_images`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target_image: { target: 'openstack-kvm', template } }),
    });
    assert.equal(res.status, 202, await res.clone().text());
    const t = (await res.json()).target_image as { id: string; base_image_id: string };
    const base = await waitForStatus(daemon.url, `/imagefactory/base_images/${t.base_image_id}`, ['COMPLETE', 'FAILED'], 25 * 60_000);
    assert.equal(base.status, 'COMPLETE', JSON.stringify(base.status_detail));
    const target = await waitForStatus(daemon.url, `/imagefactory/target_images/${t.id}`, ['COMPLETE', 'FAILED'], 10 * 60_000);
    assert.equal(target.status, 'COMPLETE', JSON.stringify(target.status_detail));
    assert.match(await (await fetch(`${daemon.url}/imagefactory/base_images/${t.base_image_id}/log`)).text(), /Build started on worker deb1[\s\S]*mmdebstrap/);
    const head = Buffer.from(await (await fetch(`${daemon.url}/imagefactory/target_images/${t.id}/raw_image`, { headers: { range: 'bytes=0-3' } })).arrayBuffer());
    assert.equal(head.toString('latin1'), 'QFI\xfb');
  });
});
