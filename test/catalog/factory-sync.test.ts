import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FACTORY_STATE, novaStatus } from '../../src/catalog/image-state.js';
import { mockTemplate, removeDir, startTestDaemon, waitForStatus } from '../helpers/test-daemon.js';
import { basic, buildTargetImage, eventually, startCatalogDaemon } from './catalog-fixtures.js';

const novaImage = async (url: string, id: string) => {
  const r = await fetch(`${url}/v2.1/images/${id}`);
  return r.status === 200 ? ((await r.json()) as { image: Record<string, unknown> }).image : null;
};

test('status mapping follows §1.5; DELETEFAILED is killed (Nova ERROR)', () => {
  assert.equal(FACTORY_STATE.NEW, 'queued');
  assert.equal(FACTORY_STATE.BUILDING, 'saving');
  assert.equal(FACTORY_STATE.COMPLETE, 'active');
  assert.equal(FACTORY_STATE.FAILED, 'killed');
  assert.equal(FACTORY_STATE.DELETING, 'pending_delete');
  assert.equal(FACTORY_STATE.DELETEFAILED, 'killed');
  assert.deepEqual(novaStatus('queued'), { status: 'SAVING', progress: 25 });
  assert.deepEqual(novaStatus('killed'), { status: 'ERROR', progress: 0 });
  assert.deepEqual(novaStatus('mystery'), { status: 'UNKNOWN', progress: 0 });
});

test('images made before the catalog was mounted are backfilled at start-up', async () => {
  const plain = await startTestDaemon();
  const id = await buildTargetImage(plain.url, 'before-catalog');
  await plain.stop();
  const d = await startCatalogDaemon({ dataDir: plain.dataDir });
  try {
    const image = await novaImage(d.url, id);
    assert.equal(image?.name, 'before-catalog');
    assert.equal(image?.status, 'ACTIVE');
  } finally {
    await d.stop();
    await removeDir(plain.dataDir);
  }
});

test('a DELETEFAILED factory image shows as ERROR in Nova and is hidden from Hostway', async () => {
  const d = await startCatalogDaemon({ file: { hostway_users: { u: 'p' } } });
  try {
    const id = await buildTargetImage(d.url, 'will-fail-delete');
    const record = await d.container.store.update(id, { status: 'DELETEFAILED' });
    d.container.events.emit({ image: record!, previousStatus: 'DELETING' });
    await eventually(async () => (await novaImage(d.url, id))?.status === 'ERROR', 'ERROR status');
    const hostway = await fetch(`${d.url}/images/detail`, { headers: { authorization: basic('u', 'p') } });
    assert.deepEqual(((await hostway.json()) as { images: unknown[] }).images, []);
  } finally {
    await d.stop();
  }
});

test('provider images appear; their catalog delete needs catalog_delete_credentials (403 without)', async () => {
  for (const creds of [{}, { 'mock-provider': '<provider_credentials/>' }]) {
    const d = await startCatalogDaemon({ file: { catalog_delete_credentials: creds } });
    try {
      const res = await fetch(`${d.url}/imagefactory/provider_images`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider_image: { target: 'mock', provider: 'mock-provider', credentials: 'c', template: mockTemplate('pushed') } }),
      });
      const id = ((await res.json()) as { provider_image: { id: string } }).provider_image.id;
      await waitForStatus(d.url, `/imagefactory/provider_images/${id}`, ['COMPLETE']);
      await eventually(async () => (await novaImage(d.url, id))?.status === 'ACTIVE', 'provider image ACTIVE');
      const image = await novaImage(d.url, id);
      assert.equal((image?.metadata as Record<string, string>).provider, 'mock-provider');
      assert.ok((image?.metadata as Record<string, string>).identifier_on_provider);
      const del = await fetch(`${d.url}/v2.1/images/${id}`, { method: 'DELETE' });
      if (Object.keys(creds).length === 0) {
        assert.equal(del.status, 403);
        assert.deepEqual(await del.json(), { forbidden: { code: 403, message: 'You are not allowed to delete the image.' } });
        assert.equal((await fetch(`${d.url}/imagefactory/provider_images/${id}`)).status, 200, 'nothing deleted');
      } else {
        assert.equal(del.status, 204);
        await eventually(async () => (await fetch(`${d.url}/imagefactory/provider_images/${id}`)).status === 404, 'provider image deleted');
      }
    } finally {
      await d.stop();
    }
  }
});

test('a Foreman DELETE of a synced target image deletes the factory image', async () => {
  const d = await startCatalogDaemon({ file: { foreman_users: { a: 'b' } } });
  try {
    const id = await buildTargetImage(d.url, 'foreman-delete');
    const auth = { authorization: basic('a', 'b') };
    await eventually(async () => ((await (await fetch(`${d.url}/api/compute_resources/1/images`, { headers: auth })).json()) as { total: number }).total === 1, 'listed in Foreman');
    const list = (await (await fetch(`${d.url}/api/compute_resources/1/images`, { headers: auth })).json()) as { results: { id: number; uuid: string; compute_resource_name: string }[] };
    assert.equal(list.results[0].uuid, id);
    assert.equal(list.results[0].compute_resource_name, 'mock');
    const del = await fetch(`${d.url}/api/compute_resources/1/images/${list.results[0].id}`, { method: 'DELETE', headers: auth });
    assert.equal(del.status, 200);
    await eventually(async () => (await fetch(`${d.url}/imagefactory/target_images/${id}`)).status === 404, 'factory image gone');
    await eventually(async () => ((await (await fetch(`${d.url}/api/compute_resources/1/images`, { headers: auth })).json()) as { total: number }).total === 0, 'gone from Foreman');
  } finally {
    await d.stop();
  }
});
