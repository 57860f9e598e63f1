import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { spawnDaemon, waitListening } from '../helpers/daemon-process.js';

const run = promisify(execFile);

describe('imagefactoryd process', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'ifd-proc-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  test('HTTPS by default: a self-signed certificate is generated once, kept, and pins the server', async () => {
    const dataDir = join(dir, 'tls');
    const d = spawnDaemon(['--foreground', '--data_dir', dataDir, '--port', '0', '--address', '127.0.0.1', '--config', join(dir, 'none.conf')], {});
    // A named config file that does not exist is an error; start without --config instead.
    assert.notEqual(await d.exited, 0);
    assert.match(d.stderr(), /config file .*none\.conf/);

    const first = spawnDaemon(['--foreground', '--data_dir', dataDir, '--port', '0', '--address', '127.0.0.1']);
    const url = await waitListening(first);
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const pemPath = join(dataDir, 'tls', 'imagefactoryd.pem');
    const pem = await readFile(pemPath, 'utf8');
    assert.equal(((await stat(pemPath)).mode & 0o777), 0o600);
    const ca = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)![0];
    // The file clients are told to pin holds the certificate and nothing else.
    const crtPath = join(dataDir, 'tls', 'imagefactoryd.crt');
    const crt = await readFile(crtPath, 'utf8');
    assert.equal(crt.trim(), ca);
    assert.doesNotMatch(crt, /PRIVATE KEY/);
    assert.match(first.stderr(), new RegExp(`TLS certificate ${crtPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const pinned = await request(`${url}/imagefactory`, { dispatcher: new Agent({ connect: { ca: crt, servername: 'localhost' } }) });
    assert.equal(pinned.statusCode, 200);
    await pinned.body.dump();
    // Pinning the kept certificate works (real TLS verification, no "insecure" switch).
    const res = await request(`${url}/imagefactory`, { dispatcher: new Agent({ connect: { ca, servername: 'localhost' } }) });
    assert.equal(res.statusCode, 200);
    assert.equal((await res.body.json() as { api_version: string }).api_version, '2.0');
    assert.equal(await first.stop(), 0);

    const second = spawnDaemon(['--foreground', '--data_dir', dataDir, '--port', '0', '--address', '127.0.0.1']);
    await waitListening(second);
    assert.equal(await readFile(pemPath, 'utf8'), pem, 'the certificate survives restarts');
    await second.stop();
  });

  test('--ssl_pem FILE serves that certificate; --no_ssl serves plain HTTP', async () => {
    const key = join(dir, 'k.pem'); const crt = join(dir, 'c.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-keyout', key, '-out', crt, '-subj', '/CN=custom-if', '-addext', 'subjectAltName=IP:127.0.0.1']);
    const pemFile = join(dir, 'both.pem');
    await writeFile(pemFile, (await readFile(key, 'utf8')) + (await readFile(crt, 'utf8')));
    const d = spawnDaemon(['--foreground', '--data_dir', join(dir, 'pem'), '--port', '0', '--address', '127.0.0.1', '--ssl_pem', pemFile]);
    const url = await waitListening(d);
    const { stdout } = await run('sh', ['-c', `echo | openssl s_client -connect ${url.replace('https://', '')} 2>/dev/null | openssl x509 -noout -subject`]);
    assert.match(stdout, /CN = custom-if/);
    await d.stop();

    const plain = spawnDaemon(['--foreground', '--data_dir', join(dir, 'plain'), '--port', '0', '--address', '127.0.0.1', '--no_ssl']);
    const plainUrl = await waitListening(plain);
    assert.match(plainUrl, /^http:\/\//);
    assert.equal((await fetch(`${plainUrl}/imagefactory`)).status, 200);
    await plain.stop();
  });

  test('config file keys apply, CLI flags override them, a bad value names the key', async () => {
    const conf = join(dir, 'if.conf');
    await writeFile(conf, JSON.stringify({ no_ssl: 1, no_oauth: 0, port: 1, clients: { 'mock-key': 'mock-secret' }, 'ec2-64bit-util': 'm5.large', custom_key: 'kept' }));
    const d = spawnDaemon(['--foreground', '--config', conf, '--data_dir', join(dir, 'conf'), '--port', '0', '--address', '127.0.0.1', '--debug']);
    const url = await waitListening(d);
    assert.match(url, /^http:\/\//, 'no_ssl from the file');
    assert.equal((await fetch(`${url}/imagefactory/base_images`)).status, 401, 'OAuth on from the file');
    assert.match(d.stderr(), /"ec2_64bit_util":"m5\.large"/, 'dashed file key honoured (D40)');
    assert.doesNotMatch(d.stderr(), /mock-secret/, 'client secrets are redacted in the logged config');
    await d.stop();

    await writeFile(conf, JSON.stringify({ max_concurrent_local_sessions: 'two' }));
    const bad = spawnDaemon(['--foreground', '--config', conf, '--data_dir', join(dir, 'bad')]);
    assert.equal(await bad.exited, 2);
    assert.match(bad.stderr(), /config key "max_concurrent_local_sessions": expected a whole number, got "two"/);
    const badFlag = spawnDaemon(['--foreground', '--data_dir', join(dir, 'bad'), '--port', '99999']);
    assert.equal(await badFlag.exited, 2);
    assert.match(badFlag.stderr(), /option --port: config key "port": must be at most 65535/);
    const secondary = spawnDaemon(['--foreground', '--data_dir', join(dir, 'bad'), '--secondary']);
    assert.equal(await secondary.exited, 2);
    assert.match(secondary.stderr(), /not supported/);
  });

  test('the effective configuration (secrets redacted) is logged without --verbose', async () => {
    const conf = join(dir, 'quiet.conf');
    await writeFile(conf, JSON.stringify({ clients: { 'quiet-key': 'quiet-secret' }, callback_secret: 'cb-secret-value' }));
    const d = spawnDaemon(['--foreground', '--config', conf, '--data_dir', join(dir, 'quiet'), '--port', '0', '--address', '127.0.0.1', '--no_ssl']);
    await waitListening(d);
    await d.stop();
    const line = d.stderr().split('\n').find((l) => l.includes('effective configuration'));
    assert.ok(line, d.stderr());
    const logged = JSON.parse(line!).config;
    assert.equal(logged.no_ssl, true);
    assert.deepEqual(logged.clients, { 'quiet-key': 'REDACTED' });
    assert.equal(logged.callback_secret, 'REDACTED');
    assert.doesNotMatch(d.stderr(), /quiet-secret|cb-secret-value/);
  });

  test('detached (no --foreground): the log file receives the daemon\'s output', async () => {
    const dataDir = join(dir, 'detached');
    const starter = spawnDaemon(['--data_dir', dataDir, '--port', '0', '--address', '127.0.0.1', '--no_ssl']);
    assert.equal(await starter.exited, 0);
    assert.match(starter.stderr(), /started in the background/);
    const logPath = join(dataDir, 'log', 'imagefactoryd.log');
    let log = '';
    for (let i = 0; i < 200 && !/listening on/.test(log); i++) {
      await new Promise((r) => setTimeout(r, 100));
      log = await readFile(logPath, 'utf8').catch(() => '');
    }
    const pid = Number((await readFile(join(dataDir, 'imagefactoryd.pid'), 'utf8')).trim());
    try {
      assert.match(log, /listening on http:\/\/127\.0\.0\.1:\d+\/imagefactory/);
      assert.match(log, /"msg":"effective configuration"/);
    } finally {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100; i++) {
        try { process.kill(pid, 0); } catch { break; }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.match(await readFile(logPath, 'utf8'), /"signal":"SIGTERM"/, 'the stop is logged in the same file');
  });

  test('SIGTERM stops the daemon cleanly and removes its pid file', async () => {
    const dataDir = join(dir, 'term');
    const d = spawnDaemon(['--foreground', '--data_dir', dataDir, '--port', '0', '--address', '127.0.0.1', '--no_ssl']);
    await waitListening(d);
    const pid = (await readFile(join(dataDir, 'imagefactoryd.pid'), 'utf8')).trim();
    assert.equal(pid, String(d.child.pid));
    assert.equal(await d.stop('SIGTERM'), 0);
    await assert.rejects(stat(join(dataDir, 'imagefactoryd.pid')));
  });
});
