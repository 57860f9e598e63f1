import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../../src/platform/exec.js';
import { registryProvider } from '../../src/plugins/providers/registry/registry-plugin.js';
import { dockerPlugin } from '../../src/plugins/targets/docker/docker-plugin.js';
import { mockOsPlugin } from '../doubles/mock-os-plugin.js';
import { mockTemplate, removeDir, startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';
import { startRegistry, type RegistryServer } from './helpers/registry-server.js';

/**
 * End to end through the REST API: the daemon's real composition with the real Docker plugin
 * builds a docker target image (from a MockOS base) and pushes it to a real docker-registry
 * with htpasswd auth; then a wrong password fails, and DELETE removes the manifest.
 */
const USER = 'pusher';
const PASSWORD = 'e2e-Secret-77';
let root: string;
let registry: RegistryServer;
let d: TestDaemon;
const json = { 'content-type': 'application/json', accept: 'application/json' };

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'provider-e2e-'));
  registry = await startRegistry(join(root, 'registry'), { username: USER, password: PASSWORD });
  d = await startTestDaemon({ plugins: { os: [mockOsPlugin], cloud: [dockerPlugin], providers: [registryProvider] } });
});
after(async () => {
  await d?.stop();
  await registry?.stop();
  if (d) await removeDir(d.dataDir);
  await rm(root, { recursive: true, force: true });
});

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${d.url}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
}

async function inspect(ref: string): Promise<{ Digest: string; Layers: string[] }> {
  const { stdout } = await runTool(['skopeo', 'inspect', '--tls-verify=false', '--creds', `${USER}:${PASSWORD}`, `docker://${ref}`]);
  return JSON.parse(stdout) as { Digest: string; Layers: string[] };
}

async function layoutLayers(layout: string): Promise<string[]> {
  const blob = (digest: string) => join(layout, 'blobs', ...digest.split(':'));
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(await readFile(blob(index.manifests[0].digest), 'utf8')) as { layers: { digest: string }[] };
  return manifest.layers.map((l) => l.digest);
}

test('POST provider_images pushes a docker target image to a real registry; wrong password fails; DELETE removes it', async () => {
  const t = (await (await post('/imagefactory/target_images', {
    target_image: { target: 'docker', template: mockTemplate('e2e-docker'), parameters: { tag: 'e2e' } },
  })).json()).target_image;
  const target = await waitForStatus(d.url, `/imagefactory/target_images/${t.id}`, ['COMPLETE', 'FAILED'], 120_000);
  assert.equal(target.status, 'COMPLETE', JSON.stringify(target.status_detail));
  const layout = (target.properties as Record<string, string>).oci_layout_path;
  assert.ok(layout, 'the docker target image keeps an OCI layout');

  // A provider that cannot be read is refused at POST, without echoing the credentials.
  const bad = await post('/imagefactory/provider_images', {
    provider_image: { target: 'docker', target_image_id: t.id, provider: 'Not A/Valid:Ref:', credentials: { username: USER, password: PASSWORD } },
  });
  assert.equal(bad.status, 400);
  assert.ok(!(await bad.text()).includes(PASSWORD));

  const ref = `${registry.address}/imagefactory/e2e:v1`;
  const res = await post('/imagefactory/provider_images', {
    provider_image: { target: 'docker', target_image_id: t.id, provider: ref, credentials: { username: USER, password: PASSWORD } },
  });
  assert.equal(res.status, 202, await res.clone().text());
  const p = (await res.json()).provider_image;
  const done = await waitForStatus(d.url, `/imagefactory/provider_images/${p.id}`, ['COMPLETE', 'FAILED'], 120_000);
  assert.equal(done.status, 'COMPLETE', JSON.stringify(done.status_detail));
  assert.equal(done.provider_account_identifier, USER);
  const identifier = done.identifier_on_provider as string;
  assert.match(identifier, /^127\.0\.0\.1:\d+\/imagefactory\/e2e@sha256:[0-9a-f]{64}$/);
  const seen = await inspect(ref);
  assert.equal(seen.Digest, identifier.split('@')[1]);
  assert.deepEqual(seen.Layers, await layoutLayers(layout));
  const log = await (await fetch(`${d.url}/imagefactory/provider_images/${p.id}/log`)).text();
  assert.match(log, /skopeo copy/);
  assert.ok(!log.includes(PASSWORD) && !JSON.stringify(done).includes(PASSWORD));

  // The registry's own refusal reaches status_detail.error; the password appears nowhere.
  const wrong = 'not-the-Password-1';
  const w = (await (await post('/imagefactory/provider_images', {
    provider_image: { target: 'docker', target_image_id: t.id, provider: `${registry.address}/imagefactory/e2e:v2`, credentials: { username: USER, password: wrong } },
  })).json()).provider_image;
  const failed = await waitForStatus(d.url, `/imagefactory/provider_images/${w.id}`, ['COMPLETE', 'FAILED'], 120_000);
  assert.equal(failed.status, 'FAILED');
  assert.match(String((failed.status_detail as Record<string, unknown>).error), /invalid username\/password/);
  const failedLog = await (await fetch(`${d.url}/imagefactory/provider_images/${w.id}/log`)).text();
  assert.ok(!JSON.stringify(failed).includes(wrong) && !failedLog.includes(wrong));

  const del = await fetch(`${d.url}/imagefactory/provider_images/${p.id}`, {
    method: 'DELETE', headers: json,
    body: JSON.stringify({ provider_image: { target: 'docker', provider: ref, credentials: { username: USER, password: PASSWORD } } }),
  });
  assert.equal(del.status, 204);
  await waitForStatus(d.url, `/imagefactory/provider_images/${p.id}`, ['HTTP 404'], 60_000);
  await assert.rejects(inspect(ref), /manifest unknown/);
});
