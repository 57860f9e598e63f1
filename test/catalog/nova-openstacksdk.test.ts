import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { TestDaemon } from '../helpers/test-daemon.js';
import { buildTargetImage, eventually, startCatalogDaemon } from './catalog-fixtures.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3'; // Debian's packages are not visible to a pyenv python3 on PATH
const SCRIPT = join(import.meta.dirname, 'clients', 'openstacksdk_images.py');
const hasSdk = existsSync('/usr/lib/python3/dist-packages/openstack');

let d: TestDaemon;
const ids: string[] = [];

before(async () => {
  d = await startCatalogDaemon({ file: { nova_tokens: { 'sdk-token': '0a1b2c3d' } } });
  for (const name of ['alpha', 'beta', 'gamma']) ids.push(await buildTargetImage(d.url, name));
  await eventually(async () => {
    const r = await fetch(`${d.url}/v2.1/images?status=ACTIVE`, { headers: { 'x-auth-token': 'sdk-token' } });
    return ((await r.json()) as { images: unknown[] }).images.length === 3;
  }, 'three ACTIVE images in the Nova list');
});
after(async () => d?.stop());

test('openstacksdk (Debian python3-openstacksdk) lists, pages, gets, edits metadata and deletes', { skip: !hasSdk && 'python3-openstacksdk not installed' }, async () => {
  const { stdout } = await run(PYTHON, [SCRIPT, `${d.url}/v2.1/`, 'sdk-token'], { timeout: 120_000 });
  const report = JSON.parse(stdout);
  const newestFirst = [...ids].reverse();
  assert.deepEqual(report.list, newestFirst);
  assert.deepEqual(report.paged, newestFirst, 'limit=1 pages followed through images_links');
  assert.deepEqual(report.detail.map((i: { name: string }) => i.name), ['gamma', 'beta', 'alpha']);
  for (const i of report.detail) {
    assert.equal(i.status, 'ACTIVE');
    assert.equal(i.progress, 100);
    assert.ok(i.size > 0, 'size from the image body');
    assert.equal(i.metadata.image_factory_kind, 'target_image');
  }
  assert.deepEqual(report.by_name, [ids[2]]);
  assert.deepEqual(report.status_saving, []);
  assert.equal(report.get.id, ids[2]);
  assert.match(report.get.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(report.get.links.map((l: { rel: string }) => l.rel), ['self', 'bookmark', 'alternate']);
  assert.equal(report.find, ids[2]);
  assert.equal(report.after_set.colour, 'blue');
  assert.equal(report.after_set.size_class, 'large');
  assert.equal(report.after_set.target, 'mock', 'merge keeps the existing keys');
  assert.equal(report.after_delete_key.colour, undefined);
  assert.equal(report.after_delete_key.size_class, 'large');
  assert.match(report.missing, /^ResourceNotFound: .*Image not found\./);
  assert.deepEqual(report.after_delete, [ids[1], ids[0]], 'a deleted image leaves the list at once');
  // ... and the factory deletes it too.
  await eventually(async () => (await fetch(`${d.url}/imagefactory/target_images/${ids[2]}`)).status === 404, 'factory image gone');
});
