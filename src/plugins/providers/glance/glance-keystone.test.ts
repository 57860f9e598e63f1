import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from '../../../platform/exec.js';
import { isAppError } from '../../../domain/errors.js';
import { makeDeleteContext, makePushContext } from '../../../../test/providers/helpers/push-context.js';
import { startGlance, type GlanceServer } from '../../../../test/providers/helpers/glance-server.js';
import { startKeystone, type KeystoneServer } from '../../../../test/providers/helpers/keystone-server.js';
import { glanceProvider } from './glance-plugin.js';

/** The Keystone code paths against a real Keystone, with Glance validating every token there (authtoken). */
const SHOW = fileURLToPath(new URL('../../../../test/providers/helpers/glance-show.py', import.meta.url));
const ADMIN_PASSWORD = 'Keyst0ne-admin-pw';
let root: string;
let keystone: KeystoneServer;
let glance: GlanceServer;
let disk: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'glance-keystone-'));
  disk = join(root, 'disk.qcow2');
  await runTool(['qemu-img', 'create', '-f', 'qcow2', disk, '1G']);
  keystone = await startKeystone(join(root, 'keystone'), ADMIN_PASSWORD);
  glance = await startGlance(join(root, 'glance'), { keystone: { url: keystone.url, password: ADMIN_PASSWORD } });
});
after(async () => {
  await glance?.stop();
  await keystone?.stop();
  await rm(root, { recursive: true, force: true });
});

const credentials = (password: string) => `<provider_credentials><openstack_credentials><auth_url>${keystone.url}</auth_url>`
  + `<username>admin</username><password>${password}</password><tenant>admin</tenant></openstack_credentials></provider_credentials>`;
const target = () => ({ id: 'ti-k', bodyPath: disk, format: 'qcow2', template: null, properties: {} });

test('keystone strategy: v3 password token, upload, check with glanceclient over a keystoneauth session, delete', async () => {
  const provider = { 'glance-host': '127.0.0.1', 'glance-port': glance.port, name: 'keystone-pushed' };
  const ctx = await makePushContext(root, { target: 'openstack-kvm', provider, credentials: credentials(ADMIN_PASSWORD), targetImage: target() });
  const result = await glanceProvider.push(ctx);
  assert.equal(result.providerAccountIdentifier, 'admin');
  const showArgs = [glance.endpoint, result.identifierOnProvider, 'keystone', keystone.url, 'admin', ADMIN_PASSWORD, 'admin'];
  const img = JSON.parse((await runTool(['/usr/bin/python3', SHOW, ...showArgs])).stdout) as Record<string, unknown>;
  assert.deepEqual([img.status, img.name, img.size], ['active', 'keystone-pushed', (await readFile(disk)).length]);
  assert.equal(img.checksum, createHash('md5').update(await readFile(disk)).digest('hex'));
  assert.ok(ctx.lines.every((l) => !l.includes(ADMIN_PASSWORD)));

  const del = await makeDeleteContext(root, { target: 'openstack-kvm', provider, credentials: credentials(ADMIN_PASSWORD), identifierOnProvider: result.identifierOnProvider });
  await glanceProvider.delete(del);
  const gone = JSON.parse((await runTool(['/usr/bin/python3', SHOW, ...showArgs])).stdout) as Record<string, unknown>;
  assert.equal(gone.error, 'HTTPNotFound');
});

test('token strategy: a token issued by the openstack CLI', async () => {
  const { stdout } = await runTool(['openstack', '--os-auth-url', keystone.url, '--os-username', 'admin', '--os-project-name', 'admin',
    '--os-user-domain-name', 'Default', '--os-project-domain-name', 'Default', '--os-identity-api-version', '3', 'token', 'issue', '-f', 'value', '-c', 'id'],
  { env: { OS_PASSWORD: ADMIN_PASSWORD } });
  const provider = `<provider glance-host="127.0.0.1" glance-port="${glance.port}"/>`;
  const ctx = await makePushContext(root, { target: 'openstack-kvm', provider, credentials: { token: stdout.trim() }, targetImage: target() });
  const result = await glanceProvider.push(ctx);
  assert.match(result.identifierOnProvider, /^[0-9a-f-]{36}$/);
  // A token Keystone does not know is refused by Glance's authtoken.
  const bad = await makePushContext(root, { target: 'openstack-kvm', provider, credentials: { token: 'gAAAA-not-a-token' }, targetImage: target() });
  await assert.rejects(glanceProvider.push(bad), (e: unknown) => isAppError(e) && e.code === 'PROVIDER_FAILED' && /HTTP 401/.test(e.message));
});

test('a wrong password fails with Keystone\'s message and never shows the password', async () => {
  const wrong = 'Wrong-pw-4-keystone';
  const ctx = await makePushContext(root, { target: 'openstack-kvm', provider: { 'glance-port': glance.port }, credentials: credentials(wrong), targetImage: target() });
  const err = await glanceProvider.push(ctx).then(() => null, (e: unknown) => e);
  assert.ok(isAppError(err) && err.code === 'PROVIDER_FAILED', String(err));
  assert.match(err.message, /Keystone refused .*HTTP 401.*requires authentication/);
  assert.ok(!err.message.includes(wrong) && ctx.lines.every((l) => !l.includes(wrong)));
});
