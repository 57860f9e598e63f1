import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTargetImage, eventually, startCatalogDaemon } from '../catalog/catalog-fixtures.js';
import { waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';

const json = { 'content-type': 'application/json' };

describe('deleting an image that other images were built from', () => {
  let d: TestDaemon;
  let baseId: string;
  let targetId: string;
  let providerId: string;
  const nova = async () => ((await (await fetch(`${d.url}/v2.1/images/detail`)).json()) as { images: { id: string; name: string; metadata: Record<string, string> }[] }).images;

  before(async () => {
    d = await startCatalogDaemon();
    targetId = await buildTargetImage(d.url, 'family-tree');
    baseId = (await d.container.store.get(targetId))!.baseImageId!;
    const res = await fetch(`${d.url}/imagefactory/provider_images`, {
      method: 'POST', headers: json,
      body: JSON.stringify({ provider_image: { target: 'mock', provider: 'mock-provider', credentials: 'c', target_image_id: targetId } }),
    });
    assert.equal(res.status, 202, await res.clone().text());
    providerId = ((await res.json()) as { provider_image: { id: string } }).provider_image.id;
    await waitForStatus(d.url, `/imagefactory/provider_images/${providerId}`, ['COMPLETE']);
    await eventually(async () => (await nova()).length === 2, 'target and provider image in the catalog');
  });
  after(async () => { await d.stop(); });

  test('a base image with a target image is 409 naming the child; nothing changes', async () => {
    const res = await fetch(`${d.url}/imagefactory/base_images/${baseId}`, { method: 'DELETE' });
    assert.equal(res.status, 409);
    const text = await res.text();
    assert.match(text, new RegExp(`BaseImage ${baseId} cannot be deleted: 1 image\\(s\\) were built from it: TargetImage ${targetId} \\(COMPLETE\\)\\. Delete them first\\.`));
    assert.equal((await d.container.store.get(baseId))?.status, 'COMPLETE');
  });

  test('a target image with a provider image is 409 naming it', async () => {
    const res = await fetch(`${d.url}/imagefactory/target_images/${targetId}`, { method: 'DELETE' });
    assert.equal(res.status, 409);
    assert.match(await res.text(), new RegExp(`ProviderImage ${providerId}`));
  });

  test('the catalog still shows the children with their names and operating system', async () => {
    const images = await nova();
    assert.deepEqual(images.map((i) => i.name).sort(), ['family-tree', 'family-tree']);
    for (const i of images) {
      assert.notEqual(i.name, i.metadata.image_factory_id, 'not named by UUID');
      assert.equal(i.metadata.os_distro, 'mockos_a');
      assert.equal(i.metadata.os_version, '1');
    }
  });

  test('no new child can be built from an image that is being deleted', async () => {
    const other = await buildTargetImage(d.url, 'doomed');
    const otherBase = (await d.container.store.get(other))!.baseImageId!;
    await d.container.store.update(otherBase, { status: 'DELETING' });
    const res = await fetch(`${d.url}/imagefactory/target_images`, { method: 'POST', headers: json, body: JSON.stringify({ target_image: { target: 'mock', base_image_id: otherBase } }) });
    assert.equal(res.status, 404);
    assert.match(await res.text(), /it is being deleted/);
    await d.container.store.update(otherBase, { status: 'COMPLETE' });
  });

  test('children first, then the parent: every delete is 204 and the catalog ends empty of them', async () => {
    const del = (path: string, body?: unknown) => fetch(`${d.url}/imagefactory/${path}`, { method: 'DELETE', headers: json, body: body === undefined ? undefined : JSON.stringify(body) });
    assert.equal((await del(`provider_images/${providerId}`, { provider_image: { provider: 'mock-provider', credentials: 'c', target: 'mock' } })).status, 204);
    await waitForStatus(d.url, `/imagefactory/provider_images/${providerId}`, ['HTTP 404']);
    assert.equal((await del(`target_images/${targetId}`)).status, 204);
    await waitForStatus(d.url, `/imagefactory/target_images/${targetId}`, ['HTTP 404']);
    assert.equal((await del(`base_images/${baseId}`)).status, 204);
    await waitForStatus(d.url, `/imagefactory/base_images/${baseId}`, ['HTTP 404']);
    await eventually(async () => !(await nova()).some((i) => [targetId, providerId].includes(i.metadata.image_factory_id)), 'catalog rows removed');
    assert.ok((await nova()).every((i) => i.name !== i.metadata.image_factory_id && i.metadata.os_distro !== undefined));
  });
});
