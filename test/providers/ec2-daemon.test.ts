import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EBSClient, ListSnapshotBlocksCommand } from '@aws-sdk/client-ebs';
import { DescribeImagesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { builtinPlugins } from '../../src/main/builtin-plugins.js';
import { finalDetails, runCli } from '../cli/run-cli.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { removeDir, startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';
import { startMoto, type MotoServer } from './helpers/moto-server.js';

/**
 * EC2 and S3 export through the real daemon with the built-in plugins, against moto: an imported
 * disk → an ec2 target image → provider images POSTed as JSON (endpoint in the provider document),
 * as the original manual's HTTPie form and through the CLI (plain `ec2-us-east-1`, the daemon's
 * AWS_ENDPOINT_URL pointing the SDK at moto), and an S3 export; then DELETE. A secret marker in
 * every credential field never shows up in a response, a build log or a file of the data directory.
 */
const MARKERS = {
  access: 'AKIAMARKERACCESSKEY1',
  secret: 'MARKER-secret-9f2c/+Kq',
  token: 'MARKER-session-token-41ad',
  cert: 'MARKER-x509-certificate-77',
  key: 'MARKER-x509-private-key-88',
};
const ACCOUNT = '210987654321';
const xmlCredentials = `<provider_credentials><ec2_credentials><account_number>${ACCOUNT}</account_number><access_key>${MARKERS.access}</access_key><secret_access_key>${MARKERS.secret}</secret_access_key><session_token>${MARKERS.token}</session_token><certificate>${MARKERS.cert}</certificate><key>${MARKERS.key}</key></ec2_credentials></provider_credentials>`;

let root: string;
let moto: MotoServer;
let d: TestDaemon;
let ec2: EC2Client;
const seen: string[] = [];
const json = { 'content-type': 'application/json', accept: 'application/json' };
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ec2-daemon-'));
  moto = await startMoto(root);
  // How a daemon is pointed at a private or test endpoint for plain `ec2-<region>` providers: the
  // AWS SDK's standard variable, read from the daemon's environment (this daemon runs in-process).
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  ec2 = new EC2Client({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  // A credential set kept by the daemon, named by the JSON push below.
  d = await startTestDaemon({ plugins: builtinPlugins(), env: { IMAGEFACTORY_CREDENTIAL_SET_PROD_AWS: xmlCredentials } });
});
after(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL; else process.env.AWS_ENDPOINT_URL = savedEndpoint;
  await d?.stop();
  await moto?.stop();
  if (d) await removeDir(d.dataDir);
  await rm(root, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; doc: Record<string, Record<string, unknown>>; text: string }> {
  const res = await fetch(`${d.url}${path}`, { method, headers: json, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  seen.push(text);
  let doc = {};
  try { doc = JSON.parse(text); } catch { /* 204 */ }
  return { status: res.status, doc, text };
}

async function finished(kind: string, id: string): Promise<Record<string, unknown>> {
  const done = await waitForStatus(d.url, `/imagefactory/${kind}/${id}`, ['COMPLETE', 'FAILED'], 120_000);
  seen.push(JSON.stringify(done), await (await fetch(`${d.url}/imagefactory/${kind}/${id}/log`)).text());
  return done;
}

function run(argv: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { out += c; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await filesUnder(p)); else if (e.isFile()) out.push(p);
  }
  return out;
}

async function amiGone(id: string): Promise<boolean> {
  try { return !(await ec2.send(new DescribeImagesCommand({ ImageIds: [id] }))).Images?.length; } catch (e) { return (e as Error).name === 'InvalidAMIID.NotFound'; }
}

test('EC2 and S3 pushes through the daemon: JSON, the manual\'s HTTPie form, the CLI; DELETE; no secret anywhere', async () => {
  // A target image of the ec2 target, from an imported disk.
  const disk = await makeSyntheticDisk(root, { sizeMiB: 64 });
  const imported = await fetch(`${d.url}/imagefactory/base_images/import?os_name=Debian&os_version=12&arch=x86_64&name=ec2-e2e`, {
    method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: await readFile(disk.path),
  });
  assert.equal(imported.status, 202, await imported.clone().text());
  const base = ((await imported.json()) as { base_image: { id: string } }).base_image;
  assert.equal((await finished('base_images', base.id)).status, 'COMPLETE');
  const t = await call('POST', '/imagefactory/target_images', { target_image: { target: 'ec2', base_image_id: base.id, parameters: { ec2_modify: false } } });
  assert.equal(t.status, 202, t.text);
  const target = await finished('target_images', t.doc.target_image.id as string);
  assert.equal(target.status, 'COMPLETE', JSON.stringify(target.status_detail));
  const targetId = target.id as string;

  // Refused at POST, naming the problem, never echoing a secret.
  const bad = await call('POST', '/imagefactory/provider_images', { provider_image: { target: 'ec2', target_image_id: targetId, provider: 'ec2-xx-mars-1', credentials: xmlCredentials } });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /unknown EC2 region \\?"xx-mars-1\\?"/);

  // A push that cannot reach its endpoint fails with the network error; the target image stays.
  const down = await call('POST', '/imagefactory/provider_images', { provider_image: { target: 'ec2', target_image_id: targetId, provider: { region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }, credentials: xmlCredentials } });
  assert.equal(down.status, 202, down.text);
  const failed = await finished('provider_images', down.doc.provider_image.id as string);
  assert.equal(failed.status, 'FAILED');
  assert.match(String((failed.status_detail as Record<string, unknown>).error), /ECONNREFUSED/);
  assert.equal((await finished('target_images', targetId)).status, 'COMPLETE');

  // 1. JSON, with the endpoint in the provider document and the credentials by reference.
  const provider = JSON.stringify({ region: 'us-east-1', endpoint: moto.endpoint, ami_name: 'e2e-json', tags: { stage: 'e2e' } });
  const p1 = await call('POST', '/imagefactory/provider_images', { provider_image: { target: 'ec2', target_image_id: targetId, provider, credentials: { ref: 'prod-aws' } } });
  assert.equal(p1.status, 202, p1.text);
  const done1 = await finished('provider_images', p1.doc.provider_image.id as string);
  assert.equal(done1.status, 'COMPLETE', JSON.stringify(done1.status_detail));
  const ami1 = done1.identifier_on_provider as string;
  assert.match(ami1, /^ami-/);
  assert.equal(done1.provider_account_identifier, ACCOUNT);
  const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [ami1] }))).Images![0];
  assert.equal(image.Name, 'e2e-json');
  assert.equal(image.State, 'available');
  const snapshot = (done1.properties as Record<string, string>).ec2_snapshot_id;
  const blocks = await new EBSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } })
    .send(new ListSnapshotBlocksCommand({ SnapshotId: snapshot }));
  assert.equal(blocks.Blocks?.length, (done1.properties as Record<string, number>).ec2_blocks_sent);

  // 2. The original manual's form POST with HTTPie, as written (plain ec2-us-east-1; the daemon's
  //    AWS_ENDPOINT_URL sends it to moto).
  const form = await run(['http', '--ignore-stdin', '--print=b', '-f', 'POST', `${d.url}/imagefactory/provider_images`,
    'target=ec2', 'provider=ec2-us-east-1', `credentials=${xmlCredentials}`, `target_image_id=${targetId}`]);
  seen.push(form.out);
  assert.equal(form.code, 0, form.out);
  const p2 = (JSON.parse(form.out) as { provider_image: { id: string } }).provider_image;
  const done2 = await finished('provider_images', p2.id);
  assert.equal(done2.status, 'COMPLETE', JSON.stringify(done2.status_detail));
  assert.equal((done2.properties as Record<string, unknown>).ec2_snapshot_reused, true, 'the second push of the target image reuses its snapshot');
  assert.equal((await ec2.send(new DescribeImagesCommand({ ImageIds: [done2.identifier_on_provider as string] }))).Images?.[0]?.State, 'available');

  // 3. The README's CLI form: provider "@ec2-us-east-1", credentials from a file.
  const credsFile = join(root, 'ec2-credentials.xml');
  await writeFile(credsFile, xmlCredentials);
  const cli = await runCli(['--url', `${d.url}/imagefactory`, '--poll-interval', '100', 'provider_image', 'ec2', '@ec2-us-east-1', credsFile, '--id', targetId]);
  seen.push(cli.stdout, cli.stderr);
  assert.equal(cli.code, 0, cli.stderr);
  const p3 = finalDetails(cli.stdout);
  assert.match(p3['Image ID on provider'], /^ami-/);

  // 4. S3 export of the same target image.
  const s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'exports' }));
  const s3Creds = { access_key_id: MARKERS.access, secret_access_key: MARKERS.secret, session_token: MARKERS.token };
  const s3Provider = { type: 's3', url: 's3://exports/ec2/', endpoint: moto.endpoint };
  const p4 = await call('POST', '/imagefactory/provider_images', { provider_image: { target: 'ec2', target_image_id: targetId, provider: s3Provider, credentials: s3Creds } });
  assert.equal(p4.status, 202, p4.text);
  const done4 = await finished('provider_images', p4.doc.provider_image.id as string);
  assert.equal(done4.status, 'COMPLETE', JSON.stringify(done4.status_detail));
  assert.equal(done4.identifier_on_provider, `s3://exports/ec2/${targetId}.raw`);
  const body = await fetch(`${d.url}/imagefactory/target_images/${targetId}/raw_image`);
  const obj = await s3.send(new GetObjectCommand({ Bucket: 'exports', Key: `ec2/${targetId}.raw` }));
  assert.ok(Buffer.from(await obj.Body!.transformToByteArray()).equals(Buffer.from(await body.arrayBuffer())), 'the object equals the target image');

  // DELETE: the AMIs are deregistered, their snapshot deleted, the object removed.
  for (const [done, prov, creds] of [[done1, provider, { ref: 'prod-aws' }], [done2, 'ec2-us-east-1', xmlCredentials], [{ id: p3.UUID, identifier_on_provider: p3['Image ID on provider'] }, 'ec2-us-east-1', xmlCredentials], [done4, s3Provider, s3Creds]] as const) {
    const del = await call('DELETE', `/imagefactory/provider_images/${done.id}`, { provider_image: { target: 'ec2', provider: prov, credentials: creds } });
    assert.equal(del.status, 204, del.text);
    await waitForStatus(d.url, `/imagefactory/provider_images/${done.id}`, ['HTTP 404'], 60_000);
  }
  for (const ami of [ami1, done2.identifier_on_provider as string, p3['Image ID on provider']]) assert.ok(await amiGone(ami), `${ami} is still registered`);
  await assert.rejects(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshot] })), /InvalidSnapshot.NotFound/);
  await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: 'exports', Key: `ec2/${targetId}.raw` })), /NotFound/);

  // No secret anywhere: responses, logs, CLI output, every file under the data directory.
  const secrets = Object.values(MARKERS);
  const text = seen.join('\n');
  for (const s of secrets) assert.ok(!text.includes(s), `a response or log shows ${s}`);
  for (const file of await filesUnder(d.dataDir)) {
    const bytes = await readFile(file);
    for (const s of secrets) assert.ok(!bytes.includes(s), `${file} holds ${s}`);
  }
});
