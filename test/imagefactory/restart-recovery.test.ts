import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { newImageRecord } from '../../src/core/images/new-image-record.js';
import { mockTemplate, removeDir, startTestDaemon, waitForStatus } from '../helpers/test-daemon.js';

/**
 * What a daemon killed hard leaves in its data directory, written directly (records mid-way, files
 * nobody owns), and what the next start makes of it.
 */
test('start-up after a hard crash: queued builds run, deletes finish, pushes fail plainly, orphan files go', async () => {
  const first = await startTestDaemon();
  const { dataDir } = first;
  const { store, artifacts } = first.container;
  const post = await fetch(`${first.url}/imagefactory/base_images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ base_image: { template: mockTemplate('survivor') } }) });
  const baseId = ((await post.json()) as { base_image: { id: string } }).base_image.id;
  await waitForStatus(first.url, `/imagefactory/base_images/${baseId}`, ['COMPLETE']);
  const body = await readFile(artifacts.bodyPath(baseId));

  // The state a kill -9 can leave: a queued target, a delete under way, a queued push, a build cut off.
  const queued = newImageRecord('target_image', { baseImageId: baseId, target: 'mock', status: 'PENDING' });
  const deleting = newImageRecord('target_image', { baseImageId: baseId, target: 'mock', status: 'DELETING' });
  const push = newImageRecord('provider_image', { targetImageId: deleting.id, target: 'mock', provider: 'p', status: 'NEW' });
  const cutOff = newImageRecord('target_image', { baseImageId: baseId, target: 'mock', status: 'BUILDING' });
  await store.insertMany([queued, deleting, push, cutOff]);
  await writeFile(artifacts.bodyPath(deleting.id), 'old target body');
  await writeFile(artifacts.bodyPath(cutOff.id), 'half a body');
  const orphan = randomUUID();
  await writeFile(artifacts.bodyPath(orphan), 'nobody owns this');
  await writeFile(`${artifacts.bodyPath(orphan)}.partial`, 'half a copy');
  await mkdir(join(dataDir, 'images', randomUUID(), 'deep'), { recursive: true });
  await writeFile(join(dataDir, 'tmp', 'guestfs-leftover'), 'x');
  await mkdir(join(dataDir, 'storage', 'not-ours'));
  await first.stop(); // nothing of the above was running, so this is what a kill -9 leaves

  const again = await startTestDaemon({ dataDir });
  try {
    const get = async (c: string, id: string) => (await fetch(`${again.url}/imagefactory/${c}/${id}`)).json() as Promise<Record<string, { status: string; status_detail: { error: string | null } }>>;
    await waitForStatus(again.url, `/imagefactory/target_images/${queued.id}`, ['COMPLETE']);
    assert.equal((await fetch(`${again.url}/imagefactory/target_images/${deleting.id}`)).status, 404, 'the interrupted delete was finished');
    const p = (await get('provider_images', push.id)).provider_image;
    assert.equal(p.status, 'FAILED');
    assert.match(p.status_detail.error!, /credentials are kept in memory only/);
    const c = (await get('target_images', cutOff.id)).target_image;
    assert.equal(c.status, 'FAILED');
    assert.match(c.status_detail.error!, /did not shut down cleanly/);

    assert.deepEqual(await readFile(artifacts.bodyPath(baseId)), body, 'the finished body is untouched');
    const storage = await readdir(join(dataDir, 'storage'));
    for (const gone of [`${orphan}.body`, `${orphan}.body.partial`, `${deleting.id}.body`, `${cutOff.id}.body`]) assert.ok(!storage.includes(gone), `${gone} removed`);
    assert.ok(storage.includes('not-ours'), 'names the store does not make are left alone');
    assert.deepEqual(await readdir(join(dataDir, 'tmp')), []);
    const scratch = await readdir(join(dataDir, 'images'));
    assert.ok(scratch.every((id) => id === queued.id), `only a queued build's scratch may exist: ${scratch}`);
  } finally {
    await again.stop();
    await removeDir(dataDir);
  }
});
