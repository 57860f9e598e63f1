import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from '../../../platform/exec.js';
import { isAppError } from '../../../domain/errors.js';
import type { Tdl } from '../../../domain/template/tdl.js';
import { makeDeleteContext, makePushContext } from '../../../../test/providers/helpers/push-context.js';
import { startGlance, type GlanceServer } from '../../../../test/providers/helpers/glance-server.js';
import { glanceProvider } from './glance-plugin.js';
import { checkGlanceProvider } from './glance-push.js';
import { readOpenstackAuth } from './openstack-credentials.js';

const SHOW = fileURLToPath(new URL('../../../../test/providers/helpers/glance-show.py', import.meta.url));
let root: string;
let glance: GlanceServer;
let openGlance: GlanceServer;
let qcow2: string;
let raw: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'glance-push-'));
  raw = join(root, 'disk.raw');
  await writeFile(raw, Buffer.concat([randomBytes(3 * 1024 * 1024), Buffer.alloc(5 * 1024 * 1024)]));
  qcow2 = join(root, 'disk.qcow2');
  await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
  [glance, openGlance] = await Promise.all([startGlance(join(root, 'glance'), 'trusted'), startGlance(join(root, 'open-glance'), 'noauth')]);
});
after(async () => {
  await Promise.all([glance?.stop(), openGlance?.stop()]);
  await rm(root, { recursive: true, force: true });
});

/** The image as python-glanceclient (the real client library) sees it. */
async function show(id: string, user = 'factory', project = 'proj-a'): Promise<Record<string, unknown>> {
  const { stdout } = await runTool(['/usr/bin/python3', SHOW, glance.endpoint, id, 'trusted', user, project]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

async function digest(path: string, algo: string): Promise<string> {
  return createHash(algo).update(await readFile(path)).digest('hex');
}

const trustedXml = '<provider_credentials><openstack_credentials><username>factory</username><tenant>proj-a</tenant><strategy>trusted</strategy></openstack_credentials></provider_credentials>';

test('qcow2 push (XML provider attributes and credentials): active with the right size and checksums, then deleted', async () => {
  const provider = `<provider glance-host="127.0.0.1" glance-port="${glance.port}" is_public="true" min_disk="1" min_ram="256"/>`;
  assert.deepEqual(checkGlanceProvider(provider, trustedXml), []);
  const ctx = await makePushContext(root, {
    target: 'openstack-kvm', provider, credentials: trustedXml,
    targetImage: { id: 'ti-q', bodyPath: qcow2, format: 'qcow2', template: { name: 'Debian 12 from the factory' } as unknown as Tdl, properties: {} },
  });
  const result = await glanceProvider.push(ctx);
  assert.match(result.identifierOnProvider, /^[0-9a-f-]{36}$/);
  assert.equal(result.providerAccountIdentifier, 'factory');
  const img = await show(result.identifierOnProvider);
  assert.equal(img.status, 'active');
  assert.equal(img.size, (await readFile(qcow2)).length);
  assert.equal(img.checksum, await digest(qcow2, 'md5'));
  assert.equal(img.os_hash_algo, 'sha512');
  assert.equal(img.os_hash_value, await digest(qcow2, 'sha512'));
  assert.deepEqual([img.name, img.disk_format, img.container_format, img.visibility, img.owner, img.min_disk, img.min_ram, img.imagefactory_target_image_id],
    ['Debian 12 from the factory', 'qcow2', 'bare', 'public', 'proj-a', 1, 256, 'ti-q']);

  const del = await makeDeleteContext(root, { target: 'openstack-kvm', provider, credentials: trustedXml, identifierOnProvider: result.identifierOnProvider });
  await glanceProvider.delete(del);
  assert.equal((await show(result.identifierOnProvider)).error, 'HTTPNotFound');
});

test('raw push (JSON provider and credentials) is named after the push without a template', async () => {
  const provider = { 'glance-host': '127.0.0.1', 'glance-port': glance.port };
  const credentials = { strategy: 'trusted', username: 'other', tenant: 'proj-b' };
  const ctx = await makePushContext(root, { target: 'openstack-kvm', provider, credentials, targetImage: { id: 'ti-r', bodyPath: raw, format: 'raw', template: null, properties: {} } });
  const result = await glanceProvider.push(ctx);
  const img = await show(result.identifierOnProvider, 'other', 'proj-b');
  assert.deepEqual([img.status, img.disk_format, img.size, img.checksum, img.visibility], ['active', 'raw', 8 * 1024 * 1024, await digest(raw, 'md5'), 'shared']);
  assert.equal(img.name, `ImageFactory created image - ${ctx.imageId}`);
});

test('Glance refusing the request fails the push with its message; an unreachable Glance too', async () => {
  const provider = { 'glance-host': '127.0.0.1', 'glance-port': glance.port };
  const ctx = await makePushContext(root, { target: 'openstack-kvm', provider, credentials: { strategy: 'noauth' }, targetImage: { id: 'ti-x', bodyPath: raw, format: 'raw', template: null, properties: {} } });
  await assert.rejects(glanceProvider.push(ctx), (e: unknown) => isAppError(e) && e.code === 'PROVIDER_FAILED' && /HTTP 401/.test(e.message));
  const closed = await makePushContext(root, { target: 'openstack-kvm', provider: { 'glance-port': 9 }, credentials: trustedXml, targetImage: { id: 'ti-x', bodyPath: raw, format: 'raw', template: null, properties: {} } });
  await assert.rejects(glanceProvider.push(closed), (e: unknown) => isAppError(e) && e.code === 'PROVIDER_FAILED' && /Cannot reach Glance/.test(e.message));
});

test('noauth strategy against the stock unauthenticated Glance; its 403 for a public image comes through', async () => {
  const provider = { 'glance-host': '127.0.0.1', 'glance-port': openGlance.port };
  const ctx = await makePushContext(root, { target: 'openstack-kvm', provider, credentials: '<provider_credentials><openstack_credentials><strategy>noauth</strategy></openstack_credentials></provider_credentials>', targetImage: { id: 'ti-n', bodyPath: qcow2, format: 'qcow2', template: null, properties: {} } });
  const result = await glanceProvider.push(ctx);
  assert.equal(result.providerAccountIdentifier, null);
  const { stdout } = await runTool(['/usr/bin/python3', SHOW, openGlance.endpoint, result.identifierOnProvider, 'noauth']);
  const img = JSON.parse(stdout) as Record<string, unknown>;
  assert.deepEqual([img.status, img.owner, img.checksum], ['active', null, await digest(qcow2, 'md5')]);
  await glanceProvider.delete(await makeDeleteContext(root, { target: 'openstack-kvm', provider, credentials: { strategy: 'noauth' }, identifierOnProvider: result.identifierOnProvider }));

  const pub = await makePushContext(root, { target: 'openstack-kvm', provider: { ...provider, is_public: true }, credentials: { strategy: 'noauth' }, targetImage: { id: 'ti-n', bodyPath: qcow2, format: 'qcow2', template: null, properties: {} } });
  await assert.rejects(glanceProvider.push(pub), (e: unknown) => isAppError(e) && e.code === 'PROVIDER_FAILED' && /HTTP 403: .*publicize_image/.test(e.message));
});

test('provider and credential problems; openrc credentials', () => {
  assert.match(checkGlanceProvider('glance.example.com', trustedXml).join(), /JSON object or an XML element/);
  assert.match(checkGlanceProvider({ 'glance-port': 'x' }, trustedXml).join(), /glance-port/);
  assert.match(checkGlanceProvider({ disk_format: 'exe' }, trustedXml).join(), /disk_format/);
  const keystone = '<provider_credentials><openstack_credentials><auth_url>http://ks:5000/v3</auth_url><username>u</username><password>pw-secret</password></openstack_credentials></provider_credentials>';
  const problems = checkGlanceProvider({}, keystone);
  assert.match(problems.join(), /need tenant/);
  assert.ok(!problems.join().includes('pw-secret'));
  assert.deepEqual(readOpenstackAuth('# openrc\nexport OS_AUTH_URL=https://ks.example.com:5000/v3\nexport OS_USERNAME="demo"\nexport OS_PASSWORD=\'s3c\'\nexport OS_PROJECT_NAME=demo\n').auth,
    { strategy: 'keystone', authUrl: 'https://ks.example.com:5000/v3', username: 'demo', password: 's3c', tenant: 'demo', userDomain: 'Default', projectDomain: 'Default' });
});
