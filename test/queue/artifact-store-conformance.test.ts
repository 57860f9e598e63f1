import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer, text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import type { ArtifactStore } from '../../src/core/ports/artifact-store.js';
import { LocalArtifactStore } from '../../src/store/local-artifact-store.js';
import { S3ArtifactStore } from '../../src/store/s3-artifact-store.js';
import { startMotoS3, type MotoS3 } from '../helpers/moto-s3.js';

/**
 * ONE contract for where image files live, run against the local store and the S3 store (moto's
 * S3 server on loopback). For S3 a second instance with its own working copy plays another machine.
 */
let moto: MotoS3;
let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'if-artifacts-'));
  moto = await startMotoS3();
  await moto.createBucket('images');
});
after(async () => {
  await moto?.stop();
  await rm(root, { recursive: true, force: true });
});

type Store = ArtifactStore & { init(): Promise<void> };
const dirs = (name: string) => ({ storage: join(root, name, 'storage'), scratch: join(root, name, 'images'), cache: join(root, name, 'cache') });
const s3 = (name: string) => new S3ArtifactStore({ url: 's3://images/factory', endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, local: dirs(name) });

const SUBJECTS: { name: string; open(): Store; other(): Store }[] = [
  { name: 'LocalArtifactStore', open: () => new LocalArtifactStore(dirs('local')), other: () => new LocalArtifactStore(dirs('local')) },
  { name: 'S3ArtifactStore (moto)', open: () => s3('s3-a'), other: () => s3('s3-b') },
];

async function read(store: ArtifactStore, path: string, range?: { start: number; end: number }): Promise<string> {
  const a = await store.openRead!(path);
  assert.ok(a, `${path} is readable`);
  return text(await a.stream(range) as never);
}

for (const subject of SUBJECTS) {
  describe(subject.name, () => {
    let store: Store;
    let machine2: Store;
    before(async () => {
      store = subject.open();
      machine2 = subject.other();
      await store.init();
      await machine2.init();
    });

    test('install moves a finished file in; every machine reads it, with byte ranges', async () => {
      const id = randomUUID();
      const scratch = await store.makeScratchDir(id);
      const body = randomBytes(9 * 1024 * 1024); // more than one multipart part
      await writeFile(join(scratch, 'disk.raw'), body);
      await store.install(join(scratch, 'disk.raw'), store.bodyPath(id));
      assert.equal(await store.exists(store.bodyPath(id)), true);
      const a = await machine2.openRead!(machine2.bodyPath(id));
      assert.equal(a?.size, body.length);
      const slice = await buffer(await a!.stream({ start: 100, end: 4195 }) as never);
      assert.deepEqual(slice, body.subarray(100, 4196));
      // Another machine gets a working copy when it needs the file (a target build of this base).
      assert.equal(await machine2.exists(machine2.bodyPath(id)), true);
      assert.deepEqual(await readFile(machine2.bodyPath(id)), body);
      assert.equal(await machine2.openRead!(machine2.bodyPath(randomUUID())), undefined);
      assert.equal(await machine2.exists(machine2.artifactPath(id, 'rootfs.tar')), false);
    });

    test('share gives a second image the same content (the base-image cache); directories install whole', async () => {
      const id = randomUUID();
      const scratch = await store.makeScratchDir(id);
      await writeFile(join(scratch, 'rootfs.tar'), 'rootfs');
      await store.install(join(scratch, 'rootfs.tar'), store.artifactPath(id, 'rootfs.tar'));
      const copy = randomUUID();
      await store.makeScratchDir(copy);
      await store.share(store.artifactPath(id, 'rootfs.tar'), store.artifactPath(copy, 'rootfs.tar'));
      assert.equal(await read(machine2, machine2.artifactPath(copy, 'rootfs.tar')), 'rootfs');

      await mkdir(join(scratch, 'oci', 'blobs'), { recursive: true });
      await writeFile(join(scratch, 'oci', 'index.json'), '{}');
      await writeFile(join(scratch, 'oci', 'blobs', 'b1'), 'layer');
      await store.install(join(scratch, 'oci'), store.artifactPath(id, 'oci'));
      assert.equal(await machine2.exists(machine2.artifactPath(id, 'oci')), true);
      assert.equal(await readFile(join(machine2.artifactPath(id, 'oci'), 'blobs', 'b1'), 'utf8'), 'layer');
    });

    test('files written in place are seen elsewhere once published; removeAll deletes everything', async () => {
      const id = randomUUID();
      await store.makeScratchDir(id);
      await writeFile(store.artifactPath(id, 'build.log'), 'line 1\n');
      await store.publish?.(id);
      assert.equal(await read(machine2, machine2.artifactPath(id, 'build.log')), 'line 1\n');
      const scratch = await store.makeScratchDir(id);
      await writeFile(join(scratch, 'b'), 'body');
      await store.install(join(scratch, 'b'), store.bodyPath(id));
      await store.removeAll(id);
      assert.equal(await machine2.openRead!(machine2.bodyPath(id)), undefined);
      assert.equal(await machine2.openRead!(machine2.artifactPath(id, 'build.log')), undefined);
      assert.equal(await store.exists(store.bodyPath(id)), false);
    });
  });
}

test('an unreachable or missing bucket stops start-up naming it', async () => {
  const missing = new S3ArtifactStore({ url: 's3://no-such-bucket/x', endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, local: dirs('bad') });
  await assert.rejects(missing.init(), /artifact store s3:\/\/no-such-bucket\/x at http:\/\/127\.0\.0\.1:\d+ is unreachable: the bucket does not exist/);
  const down = new S3ArtifactStore({ url: 's3://images', endpoint: 'http://127.0.0.1:1', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, local: dirs('bad') });
  await assert.rejects(down.init(), /artifact store s3:\/\/images at http:\/\/127\.0\.0\.1:1 is unreachable/);
});
