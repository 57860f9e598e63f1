import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newImageRecord } from '../../src/core/images/new-image-record.js';
import { mockTemplate, removeDir, startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';

const FILE_SECRET = 'FILE-SECRET-MARKER-7f3a';
const ENV_SECRET = 'ENV-SECRET-MARKER-91bc';
const INLINE_SECRET = 'INLINE-SECRET-MARKER-55d0';
const ENV = { IMAGEFACTORY_CREDENTIAL_SET_LAB_ENV: JSON.stringify({ token: ENV_SECRET }) };

let dataDir: string;
let d: TestDaemon;
const bodies: string[] = [];

/** Every response body is kept, to check afterwards that no secret was ever sent back. */
async function call(path: string, init: RequestInit = {}): Promise<{ status: number; text: string; json(): Promise<any> }> {
  const res = await fetch(`${d.url}${path}`, init);
  const text = await res.text();
  bodies.push(text);
  return { status: res.status, text, json: async () => JSON.parse(text) };
}
const postJson = (path: string, body: unknown) => call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await allFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'if-credref-'));
  await writeFile(join(dataDir, 'credentials.json'), JSON.stringify({ 'lab-file': { token: FILE_SECRET } }), { mode: 0o600 });
  d = await startTestDaemon({ dataDir, env: ENV });
});
after(async () => {
  await d.stop();
  await removeDir(dataDir);
});

test('a provider image names a credential set from the file or the environment; the name is shown, never the secrets', async () => {
  const target = (await (await postJson('/imagefactory/target_images', { target_image: { target: 'mock', template: mockTemplate('cref') } })).json()).target_image;
  await waitForStatus(d.url, `/imagefactory/target_images/${target.id}`, ['COMPLETE']);
  for (const [credentials, ref] of [[{ ref: 'lab-file' }, 'lab-file'], ['{"ref": "lab-env"}', 'lab-env'], ['<provider_credentials ref="lab-file"/>', 'lab-file']] as const) {
    const res = await postJson('/imagefactory/provider_images', { provider_image: { target: 'mock', provider: 'p1', credentials, target_image_id: target.id } });
    assert.equal(res.status, 202, res.text);
    const p = (await res.json()).provider_image;
    assert.equal(p.credentials_ref, ref);
    const done = await waitForStatus(d.url, `/imagefactory/provider_images/${p.id}`, ['COMPLETE', 'FAILED']);
    assert.equal(done.status, 'COMPLETE', JSON.stringify(done));
    assert.equal(done.credentials_ref, ref);
  }
  const inline = await postJson('/imagefactory/provider_images', { provider_image: { target: 'mock', provider: 'p1', credentials: { token: INLINE_SECRET }, target_image_id: target.id } });
  assert.equal(inline.status, 202);
  const p = (await inline.json()).provider_image;
  assert.equal(p.credentials_ref, undefined);
  await waitForStatus(d.url, `/imagefactory/provider_images/${p.id}`, ['COMPLETE']);
  // Deleting an image pushed with a set needs no credentials: the set is used again.
  const withRef = (await (await postJson('/imagefactory/provider_images', { provider_image: { target: 'mock', provider: 'p1', credentials: { ref: 'lab-env' }, target_image_id: target.id } })).json()).provider_image;
  await waitForStatus(d.url, `/imagefactory/provider_images/${withRef.id}`, ['COMPLETE']);
  const del = await call(`/imagefactory/provider_images/${withRef.id}`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: 'mock', provider: 'p1' }) });
  assert.equal(del.status, 204);
  for (let i = 0; i < 100 && (await call(`/imagefactory/provider_images/${withRef.id}`)).status !== 404; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal((await call(`/imagefactory/provider_images/${withRef.id}`)).status, 404, 'the delete with the stored credential set finished');
  assert.equal((await call(`/imagefactory/provider_images?format=json`)).status, 200);
  for (const f of await allFiles(dataDir)) {
    if (f.endsWith('credentials.json')) continue;
    const text = await readFile(f, 'latin1');
    for (const secret of [FILE_SECRET, ENV_SECRET, INLINE_SECRET]) assert.ok(!text.includes(secret), `${secret} found in ${f}`);
  }
  for (const body of bodies) for (const secret of [FILE_SECRET, ENV_SECRET, INLINE_SECRET]) assert.ok(!body.includes(secret), `${secret} in a response`);
});

test('an unknown or malformed reference is a 400 naming credentials.ref and the defined sets', async () => {
  const target = (await (await postJson('/imagefactory/target_images', { target_image: { target: 'mock', template: mockTemplate('cref2') } })).json()).target_image;
  await waitForStatus(d.url, `/imagefactory/target_images/${target.id}`, ['COMPLETE']);
  const unknown = await postJson('/imagefactory/provider_images', { provider_image: { target: 'mock', provider: 'p1', credentials: { ref: 'prod-aws' }, target_image_id: target.id } });
  assert.equal(unknown.status, 400);
  assert.match(unknown.text, /credentials\.ref: no credential set named \\?"prod-aws\\?" is defined \(defined: lab-env, lab-file\)/);
  const bad = await postJson('/imagefactory/provider_images', { provider_image: { target: 'mock', provider: 'p1', credentials: { ref: '../etc/passwd' }, target_image_id: target.id } });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /credentials\.ref must be a credential set name/);
});

test('after a restart a push with a credential set starts again; one with inline credentials fails with the reason', async () => {
  const target = (await (await postJson('/imagefactory/target_images', { target_image: { target: 'mock', template: mockTemplate('cref3') } })).json()).target_image;
  await waitForStatus(d.url, `/imagefactory/target_images/${target.id}`, ['COMPLETE']);
  // Records as a killed daemon leaves them: BUILDING, no build running.
  const byRef = newImageRecord('provider_image', { status: 'BUILDING', targetImageId: target.id, target: 'mock', provider: 'p1', credentialsRef: 'lab-file' });
  const inline = newImageRecord('provider_image', { status: 'BUILDING', targetImageId: target.id, target: 'mock', provider: 'p1' });
  await d.container.store.insertMany([byRef, inline]);
  await d.stop();
  d = await startTestDaemon({ dataDir, env: ENV });
  const resumed = await waitForStatus(d.url, `/imagefactory/provider_images/${byRef.id}`, ['COMPLETE', 'FAILED']);
  assert.equal(resumed.status, 'COMPLETE', JSON.stringify(resumed));
  const failed = await waitForStatus(d.url, `/imagefactory/provider_images/${inline.id}`, ['COMPLETE', 'FAILED']);
  assert.equal(failed.status, 'FAILED');
});

test('a credentials file readable by others stops start-up with a message naming the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'if-credref-mode-'));
  try {
    const file = join(dir, 'credentials.json');
    await writeFile(file, JSON.stringify({ x: { token: FILE_SECRET } }));
    await chmod(file, 0o644);
    assert.equal((await stat(file)).mode & 0o777, 0o644);
    await assert.rejects(startTestDaemon({ dataDir: dir }), (e: Error) => e.message.includes(file) && /mode 644.*chmod 600/.test(e.message) && !e.message.includes(FILE_SECRET));
    await writeFile(file, '{not json', { mode: 0o600 });
    await chmod(file, 0o600);
    await assert.rejects(startTestDaemon({ dataDir: dir }), (e: Error) => /is not valid JSON/.test(e.message));
  } finally {
    await removeDir(dir);
  }
});
