import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { builtinPlugins } from '../../src/main/builtin-plugins.js';
import { runTool } from '../../src/platform/exec.js';
import { mockOsPlugin } from '../doubles/mock-os-plugin.js';
import { startMotoS3, type MotoS3 } from '../helpers/moto-s3.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

/**
 * build_mode queue with the S3 artifact store (moto on loopback): the daemon and two workers share
 * NOTHING on disk, as on separate machines. Uploads, bodies, logs and SBOMs travel through the bucket.
 */
const S3_KEYS = { s3_access_key_id: 'test', s3_secret_access_key: 'test', s3_region: 'us-east-1' };

describe('build_mode queue with an s3:// artifact store, no shared filesystem', () => {
  let pg: PostgresServer;
  let moto: MotoS3;
  let root: string;
  let qcow2: string;
  let daemon: TestDaemon;
  const workers: WorkerProcess[] = [];
  let s3: S3Client;

  before(async () => {
    pg = await startPostgres();
    moto = await startMotoS3();
    await moto.createBucket('factory');
    s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    root = await mkdtemp(join(tmpdir(), 'if-s3q-'));
    const raw = (await makeSyntheticDisk(join(root, 'disk'), { sizeMiB: 16 })).path;
    qcow2 = join(root, 'disk.qcow2');
    await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
    const dbUrl = await pg.createDatabase('s3queue');
    const builtin = builtinPlugins();
    daemon = await startTestDaemon({
      dataDir: await mkdtemp(join(root, 'daemon-')),
      plugins: { os: [mockOsPlugin, ...builtin.os], cloud: builtin.cloud, providers: builtin.providers },
      file: { ...S3_KEYS, s3_endpoint: moto.endpoint },
      flags: { database_url: dbUrl, build_mode: 'queue', artifact_store: 's3://factory/images', job_lease_seconds: 4, job_retry_delay_seconds: 1 },
    });
    await writeFile(join(root, 'worker.conf'), '{}');
    for (const id of ['s1', 's2']) {
      workers.push(await startWorkerProcess(id, {
        IMAGEFACTORY_CONFIG: join(root, 'worker.conf'), IMAGEFACTORY_DATA_DIR: await mkdtemp(join(root, `${id}-`)),
        IMAGEFACTORY_DATABASE_URL: dbUrl, IMAGEFACTORY_ARTIFACT_STORE: 's3://factory/images', IMAGEFACTORY_S3_ENDPOINT: moto.endpoint,
        IMAGEFACTORY_S3_ACCESS_KEY_ID: 'test', IMAGEFACTORY_S3_SECRET_ACCESS_KEY: 'test', IMAGEFACTORY_BOOT_TEST: 'false', IMAGEFACTORY_JOB_LEASE_SECONDS: '4',
      }));
    }
  });
  after(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await daemon?.stop();
    s3?.destroy();
    await moto?.stop();
    await pg?.stop();
    await rm(root, { recursive: true, force: true });
  });

  const api = (path: string, init: RequestInit = {}) => fetch(`${daemon.url}/imagefactory${path}`, init);
  const keys = async (prefix: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: 'factory', Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

  test('an import and its target conversions run on workers; bodies and logs are objects; raw_image serves ranges; DELETE removes the objects', async () => {
    const imported = await api('/base_images/import?name=s3imp&os_name=Debian&os_version=12&arch=x86_64', {
      method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: await readFile(qcow2),
    });
    assert.equal(imported.status, 202);
    const baseId = ((await imported.json()) as { base_image: { id: string } }).base_image.id;
    const targetIds: string[] = [];
    for (const target of ['openstack-kvm', 'ec2']) {
      const res = await api('/target_images', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target_image: { base_image_id: baseId, target } }) });
      assert.equal(res.status, 202);
      targetIds.push(((await res.json()) as { target_image: { id: string } }).target_image.id);
    }
    for (const [kind, id] of [['base_images', baseId], ...targetIds.map((t) => ['target_images', t])]) {
      const done = await waitForStatus(daemon.url, `/imagefactory/${kind}/${id}`, ['COMPLETE', 'FAILED'], 120_000);
      assert.equal(done.status, 'COMPLETE', `${JSON.stringify(done.status_detail)}\n${workers.map((w) => w.output()).join('\n')}`);
      assert.match(await (await api(`/${kind}/${id}/log`)).text(), /Build started on worker s\d/);
    }
    assert.ok((await keys(`images/${baseId}.body`)).length === 1, 'the base body is an object');
    assert.ok((await keys(`images/${targetIds[0]}/build.log`)).length === 1, 'the build log is an object');

    // The daemon has no copy: raw_image streams from the bucket, whole and by range.
    const whole = Buffer.from(await (await api(`/target_images/${targetIds[1]}/raw_image`)).arrayBuffer());
    const ranged = await api(`/target_images/${targetIds[1]}/raw_image`, { headers: { range: 'bytes=1048576-1049599' } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get('content-range'), `bytes 1048576-1049599/${whole.length}`);
    assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), whole.subarray(1048576, 1049600));
    const expected = join(root, 'expected.raw');
    await runTool(['qemu-img', 'convert', '-f', 'qcow2', '-O', 'raw', qcow2, expected]);
    assert.equal(whole.length, (await readFile(expected)).length, 'the ec2 raw image has the imported disk\'s size');

    const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    assert.notEqual(hash(whole), '');
    const del = await api(`/target_images/${targetIds[1]}`, { method: 'DELETE' });
    assert.equal(del.status, 204);
    await waitForStatus(daemon.url, `/imagefactory/target_images/${targetIds[1]}`, ['HTTP 404'], 30_000);
    assert.deepEqual(await keys(`images/${targetIds[1]}`), []);
  });
});
