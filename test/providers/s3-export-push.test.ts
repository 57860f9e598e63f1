import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { s3Provider } from '../../src/plugins/providers/s3/s3-plugin.js';
import { makeSparseDisk } from '../helpers/sparse-disk.js';
import { MOTO_KEYS, startMoto, type MotoServer } from './helpers/moto-server.js';
import { makeDeleteContext, makePushContext } from './helpers/push-context.js';

/** S3 export against moto's S3: multipart upload of a target image body, read back; retry; DELETE; errors. */
const MIB = 1024 * 1024;
let root: string;
let moto: MotoServer;
let s3: S3Client;
let body: string;
const credentials = { access_key_id: MOTO_KEYS.accessKeyId, secret_access_key: MOTO_KEYS.secretAccessKey, session_token: 'FwoGZXIvYXdzEXAMPLETOKEN' };

before(async () => {
  root = await mkdtemp(join(tmpdir(), 's3-export-'));
  moto = await startMoto(root);
  s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_KEYS, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'exports' }));
  body = join(root, 'image.qcow2');
  await makeSparseDisk(body, { sizeBytes: 27 * MIB + 123, regions: [{ offset: 0, length: 20 * MIB }, { offset: 26 * MIB, length: MIB }] });
});
after(async () => {
  await moto?.stop();
  await rm(root, { recursive: true, force: true });
});

const targetImage = () => ({ id: '0c0ffee0-0000-4000-8000-000000000005', bodyPath: body, format: 'qcow2', template: null, properties: {} });
const provider = () => ({ type: 's3', url: 's3://exports/team/', endpoint: moto.endpoint, concurrency: 3 });

test('the body goes up in parts and reads back byte for byte; a retry is a no-op; DELETE removes the object', async () => {
  const ctx = await makePushContext(root, { target: 'openstack-kvm', provider: provider(), credentials, targetImage: targetImage() });
  const percents: number[] = [];
  const result = await s3Provider.push({ ...ctx, progress: (p) => percents.push(p) });
  const key = `team/${targetImage().id}.qcow2`;
  assert.equal(result.identifierOnProvider, `s3://exports/${key}`);
  const obj = await s3.send(new GetObjectCommand({ Bucket: 'exports', Key: key }));
  assert.ok(Buffer.from(await obj.Body!.transformToByteArray()).equals(await readFile(body)));
  assert.ok(percents.length >= 3 && percents.at(-1) === 100, percents.join(','));
  assert.ok(ctx.lines.some((l) => /8\.0 MiB parts, 3 at a time/.test(l)), ctx.lines.join('\n'));
  assert.equal((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'exports' }))).Uploads?.length ?? 0, 0, 'no multipart upload left open');

  const again = await makePushContext(root, { target: 'openstack-kvm', provider: provider(), credentials, targetImage: targetImage() });
  const second = await s3Provider.push(again);
  assert.equal(second.identifierOnProvider, result.identifierOnProvider);
  assert.equal((second.properties as Record<string, unknown>).s3_bytes_sent, 0);

  const del = await makeDeleteContext(root, { target: 'openstack-kvm', provider: provider(), credentials, identifierOnProvider: result.identifierOnProvider });
  await s3Provider.delete(del);
  await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: 'exports', Key: key })), /NotFound/);
  const log = [...ctx.lines, ...again.lines, ...del.lines].join('\n');
  for (const secret of Object.values(credentials)) assert.ok(!log.includes(secret));
});

test('a missing bucket fails with S3\'s own message; bad locations and credentials are refused at POST', async () => {
  const ctx = await makePushContext(root, { target: 'ec2', provider: `s3://no-such-bucket/x.raw`, credentials, targetImage: targetImage() });
  // A plain s3:// URL has no endpoint: point this one at moto through the document form instead.
  ctx.provider = { url: 's3://no-such-bucket/x.raw', endpoint: moto.endpoint };
  await assert.rejects(s3Provider.push(ctx), (e: Error & { code?: string }) => e.code === 'PROVIDER_FAILED' && /NoSuchBucket/.test(e.message) && !e.message.includes(MOTO_KEYS.secretAccessKey));
  assert.equal(s3Provider.claims!('s3://bucket/key'), true);
  assert.equal(s3Provider.claims!('ec2-us-east-1'), false);
  assert.deepEqual(s3Provider.check('ec2', 's3://bucket/key', credentials), []);
  assert.match(s3Provider.check('ec2', 's3://Bad_Bucket/key', credentials).join(), /not a valid S3 bucket name/);
  assert.match(s3Provider.check('ec2', { bucket: 'b-ok', concurrency: 99 }, credentials).join(), /concurrency/);
  assert.match(s3Provider.check('ec2', 's3://bucket/key', { access_key_id: 'A' }).join(), /secret_access_key/);
});
