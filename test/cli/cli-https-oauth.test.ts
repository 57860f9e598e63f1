import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OAuth from 'oauth-1.0a';
import { authorizationHeader } from '../../src/domain/oauth-signature.js';
import { parseAuthorizationHeader } from '../../src/api/imagefactory/oauth.js';
import { runTool } from '../../src/platform/exec.js';
import { loadTlsMaterial } from '../../src/platform/tls-certificate.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { mockTemplate, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js';
import { finalDetails, runCli } from './run-cli.js';

const CLIENT = { key: 'cli-key', secret: 'cli secret&with=specials' };

test('the CLI\'s Authorization header carries the signature the oauth-1.0a library computes', () => {
  const url = 'https://127.0.0.1:8075/imagefactory/base_images/import?os_name=Debian&os_version=12&name=a%20b';
  const header = parseAuthorizationHeader(authorizationHeader(CLIENT, 'POST', url));
  const lib = new OAuth({ consumer: CLIENT, signature_method: 'HMAC-SHA1', hash_function: (b, k) => createHmac('sha1', k).update(b).digest('base64') });
  const { oauth_signature: ours, ...oauthData } = header;
  const theirs = lib.getSignature({ url, method: 'POST' }, '', oauthData as unknown as OAuth.Authorization);
  assert.equal(ours, theirs);
});

describe('imagefactory CLI over HTTPS (self-signed certificate) with OAuth on', () => {
  let d: TestDaemon;
  let dir: string;
  let pem: string;
  let template: string;
  let api: string;
  const secure = (...args: string[]) => runCli(['--url', api, '--cacert', pem, '--key', CLIENT.key, '--secret', CLIENT.secret, '--poll-interval', '50', ...args]);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'if-cli-tls-'));
    const tls = await loadTlsMaterial('*', dir);
    pem = join(dir, 'daemon-cert.pem');
    await writeFile(pem, tls.cert); // only the certificate goes to clients
    d = await startTestDaemon({ https: { key: tls.key, cert: tls.cert }, flags: { no_oauth: false }, file: { clients: { [CLIENT.key]: CLIENT.secret } } });
    assert.match(d.url, /^https:/);
    api = `${d.url}/imagefactory`;
    template = join(dir, 'mock.tdl');
    await writeFile(template, mockTemplate('tls-base'));
  });
  after(async () => {
    await d.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(d.dataDir, { recursive: true, force: true });
  });

  test('signed requests: base_image, target_image, plugins, download', async () => {
    const b = await secure('base_image', template);
    assert.equal(b.code, 0, b.stderr);
    const id = finalDetails(b.stdout).UUID;
    const t = await secure('--output', 'json', 'target_image', 'mock', '--id', id);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(JSON.parse(t.stdout).status, 'COMPLETE');
    const p = await secure('--output', 'json', 'plugins', '--id', 'MockOS');
    assert.equal(JSON.parse(p.stdout).id, 'MockOS');
    const dl = await secure('download', id, join(dir, 'base.raw'));
    assert.equal(dl.code, 0, dl.stderr);
  });

  test('signed streamed import of a vmdk (query fields are signed)', async () => {
    const disk = await makeSyntheticDisk(join(dir), { sizeMiB: 16 });
    const vmdk = join(dir, 'disk.vmdk');
    await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'vmdk', disk.path, vmdk]);
    const r = await secure('import_base_image', vmdk, '--os-name', 'Debian', '--os-version', '12', '--name', 'signed import', '--description', 'a & b');
    assert.equal(r.code, 0, r.stderr);
    const j = await secure('--output', 'json', 'images', JSON.stringify({ identifier: finalDetails(r.stdout).UUID }));
    const image = JSON.parse(j.stdout);
    assert.equal((image.properties as { import: { format: string } }).import.format, 'vmdk');
    assert.match(image.template, /<name>signed import<\/name>/);
  });

  test('environment variables stand in for --url, --key and --secret', async () => {
    const r = await runCli(['--cacert', pem, 'plugins'], { IMAGEFACTORY_URL: api, IMAGEFACTORY_OAUTH_KEY: CLIENT.key, IMAGEFACTORY_OAUTH_SECRET: CLIENT.secret });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^MockOS/m);
  });

  test('an untrusted certificate, a wrong secret or no key are exit code 2 with the reason', async () => {
    const untrusted = await runCli(['--url', api, '--key', CLIENT.key, '--secret', CLIENT.secret, 'plugins']);
    assert.equal(untrusted.code, 2);
    assert.match(untrusted.stderr, /Cannot reach the image factory.*(self-signed|certificate)/i);
    const insecure = await runCli(['--url', api, '--insecure', '--key', CLIENT.key, '--secret', CLIENT.secret, 'plugins']);
    assert.equal(insecure.code, 0, insecure.stderr);

    const wrong = await runCli(['--url', api, '--cacert', pem, '--key', CLIENT.key, '--secret', 'wrong', 'plugins']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /HTTP 401: Unauthorized: authorization failed/);
    const unsigned = await runCli(['--url', api, '--cacert', pem, 'import_base_image', template, '--os-name', 'Debian', '--os-version', '12']);
    assert.equal(unsigned.code, 2);
    assert.match(unsigned.stderr, /HTTP 401/);
    const half = await runCli(['--url', api, '--cacert', pem, '--key', CLIENT.key, 'plugins']);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /give both --key and --secret/);
  });
});
