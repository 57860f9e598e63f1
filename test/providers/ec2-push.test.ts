import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EBSClient, GetSnapshotBlockCommand, ListSnapshotBlocksCommand } from '@aws-sdk/client-ebs';
import { DescribeImageAttributeCommand, DescribeImagesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ec2Provider } from '../../src/plugins/providers/ec2/ec2-plugin.js';
import { importSnapshotFromS3, stagingKey } from '../../src/plugins/providers/ec2/s3-snapshot-import.js';
import { EBS_BLOCK } from '../../src/plugins/providers/ec2/ebs-snapshot-upload.js';
import { isAllZero } from '../../src/plugins/providers/shared/data-blocks.js';
import { allocatedBytes, makeSparseDisk } from '../helpers/sparse-disk.js';
import { startImportServer } from './helpers/ec2-import-server.js';
import { MOTO_KEYS, startMoto, type MotoServer } from './helpers/moto-server.js';
import { makeDeleteContext, makePushContext } from './helpers/push-context.js';

/**
 * The EC2 provider against moto_server: EBS direct upload of the non-zero blocks of a sparse raw
 * disk (read back block by block and compared), RegisterImage, reuse of a completed snapshot by a
 * retried push, launch permissions and a copy to another region, DELETE of all of it, and the
 * S3 + ImportSnapshot path (moto has no ImportSnapshot: the S3 upload is checked, the import
 * fails with a clear message).
 */
const MIB = 1024 * 1024;
let root: string;
let moto: MotoServer;
let disk: string;
const TARGET_ID = '5d7a6c8e-0000-4000-8000-00000000ec02';
const credentials = `<provider_credentials><ec2_credentials><account_number>1234-5678-9012</account_number><access_key>${MOTO_KEYS.accessKeyId}</access_key><secret_access_key>${MOTO_KEYS.secretAccessKey}</secret_access_key></ec2_credentials></provider_credentials>`;
let ec2: EC2Client;
let ebs: EBSClient;
let s3: S3Client;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ec2-push-'));
  moto = await startMoto(root);
  const cfg = { endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_KEYS };
  ec2 = new EC2Client(cfg);
  ebs = new EBSClient(cfg);
  s3 = new S3Client({ ...cfg, forcePathStyle: true });
  disk = join(root, 'disk.raw');
  // 1 GiB + 300 KiB (an odd size: the last block is short), data in three places, holes elsewhere.
  await makeSparseDisk(disk, {
    sizeBytes: 1024 * MIB + 300 * 1024,
    regions: [{ offset: 1 * MIB, length: 8 * MIB }, { offset: 100 * MIB + 4096, length: 4 * MIB - 4096 }, { offset: 1024 * MIB, length: 300 * 1024 }],
  });
});
after(async () => {
  await moto?.stop();
  await rm(root, { recursive: true, force: true });
});

const provider = () => JSON.stringify({ region: 'us-east-1', endpoint: moto.endpoint, tags: { team: 'images' }, boot_mode: 'uefi' });
const targetImage = () => ({ id: TARGET_ID, bodyPath: disk, format: 'raw', template: null, properties: {} });

async function push(parameters: Record<string, unknown> = {}, imageId = 'push-1') {
  const ctx = await makePushContext(root, { target: 'ec2', provider: provider(), credentials, targetImage: targetImage(), parameters });
  const percents: number[] = [];
  return { ctx, percents, run: () => ec2Provider.push({ ...ctx, imageId, progress: (p) => percents.push(p) }) };
}

/** The disk's non-zero 512 KiB blocks, padded, by index. */
async function diskBlocks(): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  const size = (await stat(disk)).size;
  const fh = await open(disk, 'r');
  try {
    for (let i = 0; i * EBS_BLOCK < size; i++) {
      const b = Buffer.alloc(EBS_BLOCK);
      await fh.read(b, 0, Math.min(EBS_BLOCK, size - i * EBS_BLOCK), i * EBS_BLOCK);
      if (!isAllZero(b)) out.set(i, b);
    }
  } finally { await fh.close(); }
  return out;
}

let first: { ami: string; snapshot: string };

/** Deregistered AMIs: EC2 answers an empty list (or InvalidAMIID.NotFound). */
async function amiGone(client: EC2Client, id: string): Promise<boolean> {
  try { return !(await client.send(new DescribeImagesCommand({ ImageIds: [id] }))).Images?.length; } catch (e) { return (e as Error).name === 'InvalidAMIID.NotFound'; }
}

test('EBS direct: only the non-zero blocks are written, byte for byte; the AMI is registered and available', async () => {
  const { ctx, percents, run } = await push();
  const result = await run();
  assert.match(result.identifierOnProvider, /^ami-[0-9a-f]+$/);
  assert.equal(result.providerAccountIdentifier, '123456789012', 'the account number, without its dashes');
  const props = result.properties as Record<string, number | string | boolean>;
  const snapshot = props.ec2_snapshot_id as string;
  assert.match(snapshot, /^snap-/);
  assert.equal(props.ec2_snapshot_reused, false);

  const expected = await diskBlocks();
  const listed = await ebs.send(new ListSnapshotBlocksCommand({ SnapshotId: snapshot }));
  assert.equal(listed.VolumeSize, 2, 'a 1 GiB + 300 KiB disk needs a 2 GiB volume');
  const indexes = (listed.Blocks ?? []).map((b) => Number(b.BlockIndex)).sort((a, b) => a - b);
  assert.deepEqual(indexes, [...expected.keys()]);
  for (const b of listed.Blocks ?? []) {
    const got = await ebs.send(new GetSnapshotBlockCommand({ SnapshotId: snapshot, BlockIndex: Number(b.BlockIndex), BlockToken: b.BlockToken }));
    const bytes = Buffer.from(await got.BlockData!.transformToByteArray());
    assert.ok(bytes.equals(expected.get(Number(b.BlockIndex))!), `block ${b.BlockIndex} differs`);
  }
  // Sparse: what went over the wire is close to what the file really holds.
  const sent = props.ec2_bytes_sent as number;
  assert.equal(sent, expected.size * EBS_BLOCK);
  const allocated = await allocatedBytes(disk);
  assert.ok(sent / allocated <= 1.05, `sent ${sent} bytes for ${allocated} allocated`);

  const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [result.identifierOnProvider] }))).Images![0];
  assert.equal(image.State, 'available');
  assert.equal(image.Name, `imagefactory-push-1`);
  assert.equal(image.BootMode, 'uefi');
  const tags = Object.fromEntries((image.Tags ?? []).map((t) => [t.Key, t.Value]));
  assert.equal(tags.team, 'images');
  assert.equal(tags['imagefactory:snapshot-id'], snapshot);
  assert.equal(tags['imagefactory:target-image-id'], TARGET_ID);
  const snap = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshot] }))).Snapshots![0];
  assert.equal(snap.State, 'completed');
  assert.ok(snap.Tags?.some((t) => t.Key === 'imagefactory:content-sha256'));
  assert.ok(percents.length > 3 && percents.every((p, i) => i === 0 || p >= percents[i - 1]), `progress ${percents.join(',')}`);
  assert.ok(ctx.lines.some((l) => /Started EBS snapshot/.test(l)));
  assert.ok(!ctx.lines.join('\n').includes(MOTO_KEYS.secretAccessKey) && !ctx.lines.join('\n').includes(MOTO_KEYS.accessKeyId));
  first = { ami: result.identifierOnProvider, snapshot };
});

test('a retried push of the same target image reuses the completed snapshot; share and copy work; DELETE removes everything', async () => {
  const { ctx, run } = await push({ ec2_share_accounts: '111122223333', ec2_copy_regions: ['ec2-us-west-2'] }, 'push-2');
  const result = await run();
  const props = result.properties as Record<string, unknown>;
  assert.equal(props.ec2_snapshot_reused, true, ctx.lines.join('\n'));
  assert.equal(props.ec2_snapshot_id, first.snapshot);
  assert.equal(props.ec2_bytes_sent, 0);
  const ami = result.identifierOnProvider;
  assert.notEqual(ami, first.ami);
  const perms = await ec2.send(new DescribeImageAttributeCommand({ ImageId: ami, Attribute: 'launchPermission' }));
  assert.deepEqual(perms.LaunchPermissions?.map((p) => p.UserId), ['111122223333']);
  const copies = props.ec2_copies as Record<string, string>;
  const west = new EC2Client({ endpoint: moto.endpoint, region: 'us-west-2', credentials: MOTO_KEYS });
  assert.equal((await west.send(new DescribeImagesCommand({ ImageIds: [copies['us-west-2']] }))).Images?.[0]?.State, 'available');

  for (const id of [first.ami, ami]) {
    const del = await makeDeleteContext(root, { target: 'ec2', provider: provider(), credentials, identifierOnProvider: id });
    await ec2Provider.delete(del);
    assert.ok(await amiGone(ec2, id), `${id} is still registered`);
  }
  assert.ok(await amiGone(west, copies['us-west-2']), 'the copy is deregistered too');
  await assert.rejects(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [first.snapshot] })), /InvalidSnapshot.NotFound/);
  // Deleting again: the AMI is already gone, which counts as deleted.
  const again = await makeDeleteContext(root, { target: 'ec2', provider: provider(), credentials, identifierOnProvider: ami });
  await ec2Provider.delete(again);
  assert.ok(again.lines.some((l) => /no AMI/.test(l)));
});

test('s3-import: the disk is staged in S3 byte for byte; moto has no ImportSnapshot, which fails clearly; a retry reuses the staged object', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'import-staging' }));
  const small = join(root, 'small.raw');
  await makeSparseDisk(small, { sizeBytes: 40 * MIB, regions: [{ offset: 3 * MIB, length: 5 * MIB }, { offset: 30 * MIB, length: MIB }] });
  const prov = JSON.stringify({ region: 'us-east-1', endpoint: moto.endpoint, s3_endpoint: moto.endpoint, import_bucket: 'import-staging' });
  const attempt = async () => {
    const ctx = await makePushContext(root, { target: 'ec2', provider: prov, credentials, targetImage: { ...targetImage(), bodyPath: small }, parameters: { ec2_upload: 's3-import', ec2_upload_concurrency: 3 } });
    await assert.rejects(ec2Provider.push(ctx), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'PROVIDER_FAILED');
      assert.match(e.message, /^EC2 import \(HTTP 500\): .*did not answer with an AWS response: 500 Internal Server Error/);
      assert.ok(!e.message.includes(MOTO_KEYS.secretAccessKey));
      return true;
    });
    return ctx;
  };
  const ctx = await attempt();
  assert.ok(ctx.lines.some((l) => /Uploading 40\.0 MiB to s3:\/\/import-staging/.test(l)), ctx.lines.join('\n'));
  const obj = await s3.send(new GetObjectCommand({ Bucket: 'import-staging', Key: stagingKey(TARGET_ID) }));
  assert.equal(obj.Metadata?.['imagefactory-target-image-id'], TARGET_ID);
  const stored = Buffer.from(await obj.Body!.transformToByteArray());
  assert.ok(stored.equals(await readFile(small)), 'the staged object equals the disk');
  const retry = await attempt();
  assert.ok(retry.lines.some((l) => /already holds this target image/.test(l)), retry.lines.join('\n'));
});

test('s3-import end to end with ImportSnapshot as documented (a test server in front of moto): the AMI is registered from the imported snapshot; failed and stalled imports fail clearly', async () => {
  const server = await startImportServer(moto.endpoint);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'import-e2e' }));
    const small = join(root, 'import.raw');
    await makeSparseDisk(small, { sizeBytes: 24 * MIB, regions: [{ offset: 2 * MIB, length: 3 * MIB }, { offset: 20 * MIB + 100, length: 1000 }] });
    const prov = JSON.stringify({ region: 'us-east-1', endpoint: server.endpoint, s3_endpoint: moto.endpoint, import_bucket: 'import-e2e' });
    const ctxFor = async (id: string) => makePushContext(root, { target: 'ec2', provider: prov, credentials, targetImage: { ...targetImage(), id, bodyPath: small }, parameters: { ec2_upload: 's3-import' } });

    const ctx = await ctxFor('11111111-0000-4000-8000-0000000000a1');
    const result = await ec2Provider.push({ ...ctx, imageId: 'push-import' });
    assert.match(result.identifierOnProvider, /^ami-/);
    assert.deepEqual(server.imports.at(-1), { bucket: 'import-e2e', key: stagingKey('11111111-0000-4000-8000-0000000000a1'), clientToken: 'imagefactory-push-import' });
    const snapshot = (result.properties as Record<string, string>).ec2_snapshot_id;
    const listed = await ebs.send(new ListSnapshotBlocksCommand({ SnapshotId: snapshot }));
    const disk = await readFile(small);
    for (const b of listed.Blocks ?? []) {
      const got = Buffer.from(await (await ebs.send(new GetSnapshotBlockCommand({ SnapshotId: snapshot, BlockIndex: Number(b.BlockIndex), BlockToken: b.BlockToken }))).BlockData!.transformToByteArray());
      const want = Buffer.alloc(EBS_BLOCK);
      disk.copy(want, 0, Number(b.BlockIndex) * EBS_BLOCK, Math.min(disk.length, (Number(b.BlockIndex) + 1) * EBS_BLOCK));
      assert.ok(got.equals(want), `block ${b.BlockIndex}`);
    }
    assert.equal(listed.Blocks?.length, 7, '6 blocks of data and the one holding the last 1000 bytes');
    const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [result.identifierOnProvider] }))).Images![0];
    assert.equal(Object.fromEntries((image.Tags ?? []).map((t) => [t.Key, t.Value]))['imagefactory:snapshot-id'], snapshot);
    await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: 'import-e2e', Key: stagingKey('11111111-0000-4000-8000-0000000000a1') })), /NotFound/, 'the staging object is deleted after the import');
    assert.ok(ctx.lines.some((l) => /ImportSnapshot task import-snap-/.test(l)));

    server.mode = 'fail';
    await assert.rejects(ec2Provider.push(await ctxFor('11111111-0000-4000-8000-0000000000a2')), (e: Error & { code?: string }) =>
      e.code === 'PROVIDER_FAILED' && /import task import-snap-\w+ ended deleted: ClientError: Disk validation failed/.test(e.message));

    server.mode = 'stall';
    const stalled = await ctxFor('11111111-0000-4000-8000-0000000000a3');
    await assert.rejects(importSnapshotFromS3({
      s3, ec2: new EC2Client({ endpoint: server.endpoint, region: 'us-east-1', credentials: MOTO_KEYS }), path: small, bucket: 'import-e2e',
      targetImageId: '11111111-0000-4000-8000-0000000000a3', pushId: 'push-stall', description: 'stall', concurrency: 2,
      stallMinutes: 0.02, pollSeconds: 1, signal: stalled.signal, log: stalled.log, progress: () => undefined,
    }), /stalled: no progress for 0.02 minutes \(active 30% converting\)/);
  } finally {
    await server.stop();
  }
});

test('a push cancelled mid-upload deletes its unfinished snapshot', async () => {
  const id = '22222222-0000-4000-8000-0000000000c1';
  const ctx = await makePushContext(root, { target: 'ec2', provider: provider(), credentials, targetImage: { ...targetImage(), id }, parameters: { ec2_upload_concurrency: 2 } });
  const ac = new AbortController();
  await assert.rejects(ec2Provider.push({ ...ctx, signal: ac.signal, progress: (p) => { if (p > 20) ac.abort(new Error('cancelled by DELETE')); } }), /cancelled by DELETE|aborted/i);
  assert.ok(ctx.lines.some((l) => /Deleted the unfinished snapshot snap-/.test(l)), ctx.lines.join('\n'));
  const left = await ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:imagefactory:target-image-id', Values: [id] }] }));
  assert.deepEqual(left.Snapshots ?? [], []);
});

test('bad providers, credentials and parameters are refused at POST, naming the field and never a secret', () => {
  const secret = 'Sup3r/Secret+Value';
  const creds = { access_key: 'AKIAEXAMPLE', secret_access_key: secret };
  const check = (p: unknown, c: unknown, params?: Record<string, unknown>) => ec2Provider.check('ec2', p, c, params);
  assert.deepEqual(check('ec2-us-east-1', creds), []);
  assert.deepEqual(check('eu-north-1', creds), []);
  assert.match(check('ec2-mars-1', creds).join(), /"ec2-mars-1" is not an EC2 region name/);
  assert.match(check('ec2-xx-mars-1', creds).join(), /unknown EC2 region "xx-mars-1"/);
  assert.deepEqual(check({ region: 'xx-private-1', endpoint: 'https://ec2.private.example' }, creds), [], 'a private region with an endpoint');
  assert.match(check('ec2-us-east-1', { access_key: 'AKIAEXAMPLE' }).join(), /secret_access_key/);
  assert.match(check('ec2-us-east-1', { ...creds, account_number: 'nope' }).join(), /account_number must be the 12-digit/);
  assert.match(check('ec2-us-east-1', '<provider_credentials><ec2_credentials><access_key>A</access_key>').join(), /not well-formed XML/);
  assert.match(check('ec2-us-east-1', creds, { ec2_upload: 's3-import' }).join(), /needs a bucket/);
  assert.match(check('ec2-us-east-1', creds, { ec2_share_accounts: '12' }).join(), /ec2_share_accounts/);
  assert.match(check('ec2-us-east-1', creds, { ec2_virt_type: 'paravirtual' }).join(), /only hvm/);
  assert.match(check({ region: 'us-east-1', boot_mode: 'bios' }, creds).join(), /boot_mode must be one of/);
  assert.deepEqual(check('<provider region="eu-west-1" boot_mode="uefi" tags="team=web,env=prod"/>', creds), []);
  assert.match(check('<provider region="eu-west-1" ena_support="maybe"/>', creds).join(), /ena_support must be true or false/);
  assert.match(check({ region: 'us-east-1', endpoint: 'ftp://x' }, creds).join(), /endpoint must be an http\(s\) URL/);
  for (const p of [check('ec2-mars-1', { ...creds, account_number: secret }), check('x', { access_key: secret })]) assert.ok(!p.join().includes(secret));
});

test('an unreachable endpoint fails with the network error, and leaves nothing half-made', async () => {
  const ctx = await makePushContext(root, {
    target: 'ec2', provider: { region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }, credentials, targetImage: targetImage(),
  });
  await assert.rejects(ec2Provider.push(ctx), (e: Error & { code?: string }) => e.code === 'PROVIDER_FAILED' && /ECONNREFUSED/.test(e.message));
});
