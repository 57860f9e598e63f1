import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runTool } from '../../src/platform/exec.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { mockTemplate, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js';
import { finalDetails, runCli } from './run-cli.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('imagefactory CLI against a daemon (plain HTTP, OAuth off)', () => {
  let d: TestDaemon;
  let dir: string;
  let template: string;
  let api: string;
  /** Runs the CLI against the test daemon, polling fast. */
  const cli = (...args: string[]) => runCli(['--url', api, '--poll-interval', '50', ...args]);

  before(async () => {
    d = await startTestDaemon({ env: { IMAGEFACTORY_CREDENTIAL_SET_CLI_SET: JSON.stringify({ token: 'set-secret-token' }) } });
    api = `${d.url}/imagefactory`;
    dir = await mkdtemp(join(tmpdir(), 'if-cli-'));
    template = join(dir, 'mock.tdl');
    await writeFile(template, mockTemplate('cli-base'));
  });
  after(async () => {
    await d.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(d.dataDir, { recursive: true, force: true });
  });

  test('base_image waits, shows progress on stderr and prints the Final Image Details block', async () => {
    const params = join(dir, 'params.json');
    await writeFile(params, JSON.stringify({ from_file: 'f', overridden: 'file' }));
    const script = join(dir, 'ks.cfg');
    await writeFile(script, 'echo hello\n');
    const r = await cli('base_image', template, '--parameters', params, '--parameter', 'overridden', 'flag', '--file-parameter', 'install_script', script);
    assert.equal(r.code, 0, r.stderr);
    const f = finalDetails(r.stdout);
    assert.match(f.UUID, /^[0-9a-f-]{36}$/);
    assert.equal(f.Type, 'base_image');
    assert.equal(f.Status, 'COMPLETE');
    assert.equal(f['Image filename'], `${api}/base_images/${f.UUID}/raw_image`);
    assert.match(r.stdout, /Image build completed SUCCESSFULLY!/);
    assert.match(r.stderr, /\[100%\] COMPLETE: Base Image build complete/);
    const image = (await (await fetch(`${api}/base_images/${f.UUID}`)).json()).base_image;
    assert.deepEqual(image.parameters, { from_file: 'f', overridden: 'flag', install_script: 'echo hello\n' });
  });

  test('a failed build exits 1 with the error; --nowait returns at once', async () => {
    await writeFile(join(dir, 'fail.tdl'), mockTemplate('cli-fail'));
    const r = await cli('base_image', join(dir, 'fail.tdl'), '--parameter', 'mock_fail', 'disk exploded', '--parameter', 'build_cache', 'false');
    assert.equal(r.code, 1, r.stderr);
    assert.equal(finalDetails(r.stdout).Status, 'FAILED');
    assert.match(r.stdout, /Image build FAILED with error: disk exploded/);

    const nowait = await cli('--nowait', '--output', 'json', 'base_image', template, '--parameter', 'mock_delay_ms', '400', '--parameter', 'build_cache', 'false');
    assert.equal(nowait.code, 0, nowait.stderr);
    const created = JSON.parse(nowait.stdout);
    assert.notEqual(created.status, 'COMPLETE');
  });

  test('target_image from --template (JSON output) and from --id; provider_image with @provider; exit codes', async () => {
    const t = await cli('--output', 'json', 'target_image', 'mock', '--template', template, '--parameter', 'mock_param', 'a');
    assert.equal(t.code, 0, t.stderr);
    const target = JSON.parse(t.stdout);
    assert.equal(target._type, 'TargetImage');
    assert.equal(target.status, 'COMPLETE');
    assert.equal(target.target, 'mock');

    const fromId = await cli('target_image', 'mock', '--id', target.base_image.id);
    assert.equal(fromId.code, 0, fromId.stderr);
    assert.equal(finalDetails(fromId.stdout).Type, 'target_image');

    const creds = join(dir, 'creds.json');
    await writeFile(creds, JSON.stringify({ token: 'very-secret-token' }));
    const p = await cli('provider_image', 'mock', '@mock-provider', creds, '--id', target.id);
    assert.equal(p.code, 0, p.stderr);
    const pf = finalDetails(p.stdout);
    assert.equal(pf.Type, 'provider_image');
    assert.match(pf['Image ID on provider'], /^[0-9a-f-]{36}$/);
    assert.doesNotMatch(p.stdout + p.stderr, /very-secret-token/);
    const delProvider = await cli('--output', 'json', 'delete', pf.UUID, '--provider', '@mock-provider', '--credentials', creds, '--target', 'mock');
    assert.equal(delProvider.code, 0, delProvider.stderr);
    assert.deepEqual(JSON.parse(delProvider.stdout), { id: pf.UUID, type: 'provider_image', deleted: true });
    assert.equal((await fetch(`${api}/provider_images/${pf.UUID}`)).status, 404);

    // A credential set kept by the daemon: named at push time, reused by the delete.
    const byRef = await cli('provider_image', 'mock', '@mock-provider', '--credentials-ref', 'cli-set', '--id', target.id);
    assert.equal(byRef.code, 0, byRef.stderr);
    const rf = finalDetails(byRef.stdout);
    assert.doesNotMatch(byRef.stdout + byRef.stderr, /set-secret-token/);
    const delByRef = await cli('delete', rf.UUID, '--provider', '@mock-provider', '--target', 'mock');
    assert.equal(delByRef.code, 0, delByRef.stderr);
    const unknownRef = await cli('provider_image', 'mock', '@mock-provider', '--credentials-ref', 'nope', '--id', target.id);
    assert.equal(unknownRef.code, 2);
    assert.match(unknownRef.stderr, /no credential set named "nope"/);
    assert.equal((await cli('provider_image', 'mock', '@mock-provider', creds, '--credentials-ref', 'cli-set', '--id', target.id)).code, 2);

    // The daemon's own messages come back with exit code 2.
    const badParam = await cli('target_image', 'mock', '--id', target.base_image.id, '--parameter', 'mock_param', 'z');
    assert.equal(badParam.code, 2);
    assert.match(badParam.stderr, /HTTP 400: parameters: mock_param must be a or b/);
    const badProvider = await cli('provider_image', 'mock', '@bad-provider', creds, '--id', target.id);
    assert.equal(badProvider.code, 2);
    assert.match(badProvider.stderr, /provider bad-provider does not exist/);
    const snapshot = await cli('provider_image', 'mock', '@mock-provider', creds, '--id', target.id, '--snapshot');
    assert.equal(snapshot.code, 2);
    assert.match(snapshot.stderr, /snapshot/);
    // Usage errors.
    assert.equal((await cli('target_image', 'mock')).code, 2);
    assert.equal((await cli('target_image', 'mock', '--id', 'x', '--template', template)).code, 2);
    assert.equal((await cli('provider_image', 'mock', '@mock-provider')).code, 2);
    const unknown = await cli('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command/);
    const missingValue = await cli('base_image', template, '--parameter', 'only-name');
    assert.equal(missingValue.code, 2);
    assert.match(missingValue.stderr, /--parameter needs two values/);
  });

  test('images with fetch specs, log, download and delete', async () => {
    const b = await cli('base_image', template);
    const id = finalDetails(b.stdout).UUID;

    const byId = await cli('--output', 'json', 'images', JSON.stringify({ identifier: id }));
    assert.equal(byId.code, 0, byId.stderr);
    assert.equal(JSON.parse(byId.stdout).id, id);
    const bases = await cli('--output', 'json', 'images', '{"type": "BaseImage"}');
    const list = JSON.parse(bases.stdout).images as { id: string; _type: string }[];
    assert.ok(list.some((i) => i.id === id));
    assert.ok(list.every((i) => i._type === 'BaseImage'));
    const failed = await cli('--output', 'json', 'images', '{"type": "BaseImage", "status": "FAILED"}');
    assert.ok((JSON.parse(failed.stdout).images as { status: string }[]).every((i) => i.status === 'FAILED'));
    const text = await cli('images', '{"type": "TargetImage"}');
    assert.match(text.stdout, /TargetImage {2}COMPLETE {2}100% target=mock/);
    assert.equal((await cli('images', 'not json')).code, 2);

    const log = await cli('log', id);
    assert.equal(log.code, 0);
    assert.match(log.stdout, /Build complete/);
    // --follow on a running build streams until the build ends.
    const running = await cli('--nowait', '--output', 'json', 'base_image', template, '--parameter', 'mock_delay_ms', '1500', '--parameter', 'build_cache', 'false');
    const follow = await cli('log', JSON.parse(running.stdout).id, '--follow');
    assert.equal(follow.code, 0, follow.stderr);
    assert.match(follow.stdout, /Mock step 1 of 4[\s\S]*Mock step 4 of 4[\s\S]*Build complete/);

    const out = join(dir, 'body.raw');
    const dl = await cli('download', id, out);
    assert.equal(dl.code, 0, dl.stderr);
    const served = Buffer.from(await (await fetch(`${api}/base_images/${id}/raw_image`)).arrayBuffer());
    assert.equal(sha(await readFile(out)), sha(served));

    const del = await cli('delete', id);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, new RegExp(`Deleted base_image ${id}`));
    const gone = await cli('--output', 'json', 'images', JSON.stringify({ identifier: id }));
    assert.deepEqual(JSON.parse(gone.stdout), { images: [] });
    const again = await cli('delete', id);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /No image found with id/);
    assert.equal((await cli('delete', id, '--provider', '@x')).code, 2);
  });

  test('plugins and targets, with --id and unknown ids', async () => {
    const plugins = await cli('--output', 'json', 'plugins');
    assert.deepEqual((JSON.parse(plugins.stdout).plugins as { id: string }[]).map((p) => p.id).sort(), ['MockCloud', 'MockOS']);
    const one = await cli('plugins', '--id', 'MockOS');
    assert.match(one.stdout, /^MockOS {2}os {2}1\.0/);
    const missing = await cli('plugins', '--id', 'Nope');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /HTTP 404: No plugin found with id: Nope/);
    const targets = await cli('targets');
    assert.match(targets.stdout, /^mock {2}formats: raw {2}push: yes \(mock-provider\)/m);
    const target = await cli('--output', 'json', 'targets', 'mock');
    assert.equal(JSON.parse(target.stdout).id, 'mock');
  });

  test('import_base_image uploads a qcow2; the downloaded body equals qemu-img convert -O raw', async () => {
    const disk = await makeSyntheticDisk(dir, { sizeMiB: 16 });
    const qcow2 = join(dir, 'disk.qcow2');
    await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', disk.path, qcow2]);
    const r = await cli('import_base_image', qcow2, '--os-name', 'Debian', '--os-version', '12', '--parameter', 'origin', 'cli');
    assert.equal(r.code, 0, r.stderr);
    const id = finalDetails(r.stdout).UUID;
    const image = (await (await fetch(`${api}/base_images/${id}`)).json()).base_image;
    assert.match(image.template, /<name>disk<\/name>/);
    assert.deepEqual(image.parameters, { origin: 'cli' });
    const out = join(dir, 'imported.raw');
    assert.equal((await cli('download', id, out)).code, 0);
    const expected = join(dir, 'expected.raw');
    await runTool(['qemu-img', 'convert', '-f', 'qcow2', '-O', 'raw', qcow2, expected]);
    assert.equal(sha(await readFile(out)), sha(await readFile(expected)));

    const garbage = join(dir, 'garbage.img');
    await writeFile(garbage, 'not a disk\n'.repeat(100));
    const bad = await cli('import_base_image', garbage, '--os-name', 'Debian', '--os-version', '12');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /HTTP 400: The upload is not a disk image/);
    assert.equal((await cli('import_base_image', qcow2, '--os-name', 'Debian')).code, 2);
  });

  test('an unreachable daemon is exit code 2 with the reason', async () => {
    const r = await runCli(['--url', 'http://127.0.0.1:9/imagefactory', 'plugins']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Cannot reach the image factory at http:\/\/127\.0\.0\.1:9\/imagefactory: .*ECONNREFUSED/);
  });
});
