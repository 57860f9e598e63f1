import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { TestDaemon } from '../helpers/test-daemon.js';
import { buildTargetImage, eventually, startCatalogDaemon } from './catalog-fixtures.js';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, 'clients', 'fog_images.rb');
const hasFog = existsSync('/usr/bin/ruby') && (await run('ruby', ['-e', "require 'fog/openstack'"]).then(() => true, () => false));

let d: TestDaemon;
const ids: string[] = [];

before(async () => {
  d = await startCatalogDaemon({ file: { nova_tokens: { 'fog-token': 'abc123' } } });
  for (const name of ['a', 'b', 'c']) ids.push(await buildTargetImage(d.url, name));
  await eventually(async () => {
    const r = await fetch(`${d.url}/v2.1/images?status=ACTIVE`, { headers: { 'x-auth-token': 'fog-token' } });
    return ((await r.json()) as { images: unknown[] }).images.length === 3;
  }, 'three ACTIVE images');
});
after(async () => d?.stop());

test('fog-openstack (Debian ruby-fog-openstack) lists, pages, gets, edits metadata (via //) and deletes', { skip: !hasFog && 'ruby-fog-openstack not installed' }, async () => {
  const { stdout } = await run('ruby', [SCRIPT, d.url, 'fog-token'], { timeout: 120_000 });
  const report = JSON.parse(stdout);
  assert.deepEqual(report.list, [...ids].reverse());
  assert.deepEqual(report.detail.map((i: { name: string }) => i.name), ['c', 'b']);
  assert.equal(report.next, `${d.url}/v2.1/images/detail?limit=2&marker=${ids[1]}`);
  assert.equal(report.get, 'c');
  assert.equal(report.list_metadata.colour, 'blue');
  assert.deepEqual(report.get_metadata, { colour: 'blue' });
  assert.deepEqual(report.after_set, { only: 'this' }, 'set_metadata (PUT) replaces all');
  assert.deepEqual(report.after_delete_key, {});
  assert.deepEqual(report.model, ['a', 'b', 'c']);
  assert.equal(report.delete_status, 204);
  assert.equal(report.after_delete, 'NotFound');
});
