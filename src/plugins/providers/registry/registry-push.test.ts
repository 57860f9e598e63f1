import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../../../platform/exec.js';
import { isAppError } from '../../../domain/errors.js';
import type { Tdl } from '../../../domain/template/tdl.js';
import type { PushContext } from '../../sdk/index.js';
import { makeTargetContext } from '../../../../test/helpers/target-context.js';
import { makeDeleteContext, makePushContext } from '../../../../test/providers/helpers/push-context.js';
import { startRegistry, type RegistryServer } from '../../../../test/providers/helpers/registry-server.js';
import { dockerPlugin } from '../../targets/docker/docker-plugin.js';
import { registryProvider } from './registry-plugin.js';
import { checkRegistryProvider } from './registry-push.js';
import { readRegistryDestination } from './registry-provider.js';

const USER = 'factory';
const PASSWORD = 'Pa55-w0rd-never-logged';
let root: string;
let open: RegistryServer;
let secured: RegistryServer;
/** A docker target image laid out as the artifact store keeps it: <storage>/<id>.body and <storage>/<id>/oci. */
let image: PushContext['targetImage'];
let sourceLayers: string[];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'registry-push-'));
  const tree = join(root, 'tree');
  await mkdir(join(tree, 'etc'), { recursive: true });
  await writeFile(join(tree, 'etc/hostname'), 'box\n');
  const rootfsTar = join(root, 'rootfs.tar');
  await runTool(['tar', '--numeric-owner', '-C', tree, '-cf', rootfsTar, '.']);
  const storage = join(root, 'storage');
  await mkdir(join(storage, 'ti1'), { recursive: true });
  const ctx = await makeTargetContext({
    root, target: 'docker', outputName: 'out.tar', parameters: { tag: 'v1' },
    base: { id: 'b1', diskPath: '/nonexistent', rootfsTarPath: rootfsTar, template: { name: 'reg test', os: { arch: 'x86_64' } } as unknown as Tdl },
  });
  const result = await dockerPlugin.createTargetImage(ctx);
  await rename(ctx.outputPath, join(storage, 'ti1.body'));
  await rename(`${ctx.outputPath}.oci`, join(storage, 'ti1', 'oci'));
  // As the core stores it: the layout moved beside the body and recorded in the properties.
  image = { id: 'ti1', bodyPath: join(storage, 'ti1.body'), format: result.format, template: null, properties: { ...result.properties, oci_layout_path: join(storage, 'ti1', 'oci') } };
  sourceLayers = await layoutLayers(join(storage, 'ti1', 'oci'));
  [open, secured] = await Promise.all([
    startRegistry(join(root, 'open')),
    startRegistry(join(root, 'secured'), { username: USER, password: PASSWORD }),
  ]);
});
after(async () => {
  await Promise.all([open?.stop(), secured?.stop()]);
  await rm(root, { recursive: true, force: true });
});

/** Layer digests of the only manifest of an OCI layout. */
async function layoutLayers(layout: string): Promise<string[]> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  assert.equal(index.manifests.length, 1);
  const blob = (d: string) => join(layout, 'blobs', ...d.split(':'));
  const manifest = JSON.parse(await readFile(blob(index.manifests[0].digest), 'utf8')) as { layers: { digest: string }[] };
  return manifest.layers.map((l) => l.digest);
}

async function inspect(ref: string, creds?: string): Promise<{ Digest: string; Layers: string[] }> {
  const argv = ['skopeo', 'inspect', '--tls-verify=false', ...(creds ? ['--creds', creds] : []), `docker://${ref}`];
  return JSON.parse((await runTool(argv)).stdout) as { Digest: string; Layers: string[] };
}

test('open registry: push from the OCI layout, inspect and pull back identical layers, delete by digest', async () => {
  const ctx = await makePushContext(root, { target: 'docker', provider: `${open.address}/team/app:v1`, credentials: {}, targetImage: image });
  const result = await registryProvider.push(ctx);
  assert.match(result.identifierOnProvider, new RegExp(`^${open.address.replace(/\./g, '\\.')}/team/app@sha256:[0-9a-f]{64}$`));
  assert.equal(result.providerAccountIdentifier, null);
  assert.ok(ctx.argvs.some((a) => a.includes(`oci:${join(root, 'storage', 'ti1', 'oci')}`)), 'pushed from the OCI layout');

  const digest = result.identifierOnProvider.split('@')[1];
  const seen = await inspect(`${open.address}/team/app:v1`);
  assert.equal(seen.Digest, digest);
  assert.deepEqual(seen.Layers, sourceLayers);

  const pulled = join(root, 'pulled');
  await runTool(['skopeo', 'copy', '--src-tls-verify=false', `docker://${result.identifierOnProvider}`, `oci:${pulled}:x`]);
  assert.deepEqual(await layoutLayers(pulled), sourceLayers);

  const del = await makeDeleteContext(root, { target: 'docker', provider: `${open.address}/team/app:v1`, credentials: {}, identifierOnProvider: result.identifierOnProvider });
  await registryProvider.delete(del);
  await assert.rejects(inspect(`${open.address}/team/app:v1`), /manifest unknown/);
});

test('htpasswd registry: login through stdin, auth file gone afterwards, XML credentials', async () => {
  const provider = { registry: secured.address, repository: 'team/secure', tag: 'v2', tls_verify: false };
  const credentials = `<provider_credentials><docker_credentials><username>${USER}</username><password>${PASSWORD}</password></docker_credentials></provider_credentials>`;
  assert.deepEqual(checkRegistryProvider(provider, credentials), []);
  const ctx = await makePushContext(root, { target: 'docker', provider, credentials, targetImage: image });
  const result = await registryProvider.push(ctx);
  assert.equal(result.providerAccountIdentifier, USER);
  assert.equal((await inspect(`${secured.address}/team/secure:v2`, `${USER}:${PASSWORD}`)).Digest, result.identifierOnProvider.split('@')[1]);
  // The password went to skopeo on stdin only, and nothing is left on disk.
  assert.ok(ctx.argvs.every((a) => a.every((arg) => !arg.includes(PASSWORD))));
  assert.deepEqual(ctx.inputs, [PASSWORD]);
  assert.deepEqual(await readdir(ctx.workDir), []);
  assert.ok(ctx.lines.every((l) => !l.includes(PASSWORD)));

  const del = await makeDeleteContext(root, { target: 'docker', provider, credentials: { username: USER, password: PASSWORD }, identifierOnProvider: result.identifierOnProvider });
  await registryProvider.delete(del);
  await assert.rejects(inspect(`${secured.address}/team/secure:v2`, `${USER}:${PASSWORD}`), /manifest unknown/);
});

test('htpasswd registry: a wrong password or none fails with the registry\'s message, never the password', async () => {
  const provider = `${secured.address}/team/secure:bad`;
  const wrong = 'Wr0ng-pass-word';
  const ctx = await makePushContext(root, { target: 'docker', provider, credentials: { username: USER, password: wrong }, targetImage: image });
  const err = await registryProvider.push(ctx).then(() => null, (e: unknown) => e);
  assert.ok(isAppError(err) && err.code === 'PROVIDER_FAILED', String(err));
  assert.match(err.message, /invalid username\/password/);
  assert.ok(!err.message.includes(wrong) && ctx.lines.every((l) => !l.includes(wrong)));

  const anon = await makePushContext(root, { target: 'docker', provider, credentials: {}, targetImage: image });
  await assert.rejects(registryProvider.push(anon), (e: unknown) => isAppError(e) && e.code === 'PROVIDER_FAILED' && /requires credentials/.test(e.message));
});

test('without an OCI layout the (compressed) docker archive body is pushed', async () => {
  const dir = join(root, 'archive-only');
  await mkdir(dir, { recursive: true });
  await runTool(['sh', '-c', 'xz -c "$1" > "$2"', 'sh', image.bodyPath, join(dir, 'ti2.body')]);
  const ctx = await makePushContext(root, {
    target: 'docker', provider: `docker://${open.address}/team/archive`, credentials: '{}',
    targetImage: { id: 'ti2', bodyPath: join(dir, 'ti2.body'), format: 'docker', template: null, properties: {} },
  });
  const result = await registryProvider.push(ctx);
  assert.ok(ctx.argvs.some((a) => a.includes(`docker-archive:${join(dir, 'ti2.body')}`)));
  assert.equal((await inspect(`${open.address}/team/archive:latest`)).Digest, result.identifierOnProvider.split('@')[1]);
});

test('provider references and problems', () => {
  assert.deepEqual(readRegistryDestination('127.0.0.1:5000/team/app:tag').destination,
    { registry: '127.0.0.1:5000', repository: 'team/app', tag: 'tag', tlsVerify: false });
  assert.deepEqual(readRegistryDestination('busybox').destination,
    { registry: 'docker.io', repository: 'library/busybox', tag: 'latest', tlsVerify: true });
  assert.deepEqual(readRegistryDestination('<provider registry="reg.example.com" repository="a/b" tag="1" tls_verify="true"/>').destination,
    { registry: 'reg.example.com', repository: 'a/b', tag: '1', tlsVerify: true });
  assert.match(checkRegistryProvider('127.0.0.1:5000/Team/App', {}).join(), /invalid repository/);
  assert.match(checkRegistryProvider('reg.example.com/a@sha256:00', {}).join(), /invalid/);
  assert.match(checkRegistryProvider({ registry: 'r.example.com', repository: 'a', tls_verify: 'maybe' }, {}).join(), /tls_verify/);
  const problems = checkRegistryProvider('r.example.com/a', { password: 'only-a-password' });
  assert.match(problems.join(), /both username and password/);
  assert.ok(!problems.join().includes('only-a-password'));
});
