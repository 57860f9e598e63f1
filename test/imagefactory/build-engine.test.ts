import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mockTemplate, removeDir, startTestDaemon, waitForStatus } from '../helpers/test-daemon.js';

const json = { 'content-type': 'application/json' };
const postBase = (url: string, template: string, parameters: Record<string, unknown> = {}) =>
  fetch(`${url}/imagefactory/base_images`, { method: 'POST', headers: json, body: JSON.stringify({ base_image: { template, parameters } }) })
    .then(async (r) => ({ status: r.status, image: (await r.json()).base_image as { id: string } }));

describe('build engine', () => {
  test('max_concurrent_local_sessions is enforced: the extra build waits as PENDING, progress is visible while BUILDING', async () => {
    const d = await startTestDaemon({ file: { max_concurrent_local_sessions: 1, build_cache: false } });
    try {
      const a = await postBase(d.url, mockTemplate('slow-a'), { mock_delay_ms: 1500 });
      const b = await postBase(d.url, mockTemplate('slow-b'), { mock_delay_ms: 200 });
      const seenA = await waitForStatus(d.url, `/imagefactory/base_images/${a.image.id}`, ['BUILDING']);
      assert.equal(seenA.status, 'BUILDING');
      const pendingB = await waitForStatus(d.url, `/imagefactory/base_images/${b.image.id}`, ['PENDING']);
      assert.equal((pendingB.status_detail as { activity: string }).activity, 'Waiting for a free build slot');
      const mid = await waitForStatus(d.url, `/imagefactory/base_images/${a.image.id}`, ['BUILDING']);
      assert.ok((mid.percent_complete as number) >= 0 && (mid.percent_complete as number) < 100);
      // Polling sees real progress before COMPLETE (D26, D27).
      let sawProgress = false;
      for (let i = 0; i < 40 && !sawProgress; i++) {
        const cur = (await (await fetch(`${d.url}/imagefactory/base_images/${a.image.id}`)).json()).base_image;
        if (cur.status === 'BUILDING' && cur.percent_complete > 0) sawProgress = true;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(sawProgress, 'percent_complete grew while BUILDING');
      assert.equal((await waitForStatus(d.url, `/imagefactory/base_images/${b.image.id}`, ['COMPLETE'])).status, 'COMPLETE');
    } finally { await d.stop(); await removeDir(d.dataDir); }
  });

  test('a waiting target shows its base\'s progress; progress never goes back; the build log and the API agree', async () => {
    const d = await startTestDaemon({ file: { build_cache: false } });
    try {
      const seen = new Map<string, { status: string; percent: number; activity: string }[]>();
      d.container.events.subscribe(({ image }) => {
        const list = seen.get(image.id) ?? [];
        list.push({ status: image.status, percent: image.percentComplete, activity: image.statusDetail.activity });
        seen.set(image.id, list);
      });
      const base = await postBase(d.url, mockTemplate('parent-progress'), { mock_delay_ms: 2000 });
      const res = await fetch(`${d.url}/imagefactory/target_images`, { method: 'POST', headers: json, body: JSON.stringify({ target_image: { target: 'mock', base_image_id: base.image.id } }) });
      const target = (await res.json()).target_image as { id: string };
      await waitForStatus(d.url, `/imagefactory/target_images/${target.id}`, ['COMPLETE']);
      const b = seen.get(base.image.id)!;
      const percents = b.map((e) => e.percent);
      assert.deepEqual(percents, [...percents].sort((x, y) => x - y), `base progress went back: ${percents}`);
      const waiting = seen.get(target.id)!.filter((e) => e.status === 'PENDING').map((e) => e.activity);
      const shown = waiting.filter((a) => new RegExp(`^Waiting for base image ${base.image.id}: Mock step [1-4] of 4 \\d+%$`).test(a));
      assert.ok(shown.length >= 2, `the target showed its base's steps while waiting: ${JSON.stringify(waiting)}`);
      // Every "[N%] activity" line of the log is a value the API showed, in the same order.
      const { readFile } = await import('node:fs/promises');
      const log = await readFile(d.container.artifacts.artifactPath(base.image.id, 'build.log'), 'utf8');
      const logged = [...log.matchAll(/ \[(\d+)%\] (.*)$/gm)].map((m) => `${m[1]} ${m[2]}`);
      const api = b.filter((e) => e.status === 'BUILDING' && e.activity !== 'Build started').map((e) => `${e.percent} ${e.activity}`);
      assert.deepEqual(logged, api);
      assert.ok(logged.length >= 4, logged.join('\n'));
    } finally { await d.stop(); await removeDir(d.dataDir); }
  });

  test('a failed base fails its target with the original message; the error names the cause', async () => {
    const d = await startTestDaemon();
    try {
      const res = await fetch(`${d.url}/imagefactory/target_images`, { method: 'POST', headers: json, body: JSON.stringify({ target_image: { target: 'mock', template: mockTemplate('fail'), parameters: { mock_fail: 'E: Unable to locate package nosuchpkg' } } }) });
      const t = (await res.json()).target_image;
      const target = await waitForStatus(d.url, `/imagefactory/target_images/${t.id}`, ['FAILED', 'COMPLETE']);
      assert.equal(target.status, 'FAILED');
      assert.equal((target.status_detail as { error: string }).error, `The BaseImage (${t.base_image_id}) for our TargetImage has failed its build.  Cannot continue.`);
      const base = await waitForStatus(d.url, `/imagefactory/base_images/${t.base_image_id}`, ['FAILED']);
      assert.deepEqual(base.status_detail, { activity: 'Base Image build failed with exception.', error: 'E: Unable to locate package nosuchpkg' });
    } finally { await d.stop(); await removeDir(d.dataDir); }
  });

  test('DELETE of a running build cancels it and removes everything', async () => {
    const d = await startTestDaemon();
    try {
      const a = await postBase(d.url, mockTemplate('cancel'), { mock_delay_ms: 20_000 });
      await waitForStatus(d.url, `/imagefactory/base_images/${a.image.id}`, ['BUILDING']);
      const started = Date.now();
      assert.equal((await fetch(`${d.url}/imagefactory/base_images/${a.image.id}`, { method: 'DELETE' })).status, 204);
      await waitForStatus(d.url, `/imagefactory/base_images/${a.image.id}`, ['HTTP 404'], 10_000);
      assert.ok(Date.now() - started < 15_000);
      assert.equal(d.container.engine.isRunning(a.image.id), false);
    } finally { await d.stop(); await removeDir(d.dataDir); }
  });

  test('an unchanged template reuses the COMPLETE base image (cache), opt-out with build_cache=false', async () => {
    const d = await startTestDaemon();
    try {
      const first = await postBase(d.url, mockTemplate('cached'));
      await waitForStatus(d.url, `/imagefactory/base_images/${first.image.id}`, ['COMPLETE']);
      // Same template modulo whitespace and comments.
      const second = await postBase(d.url, mockTemplate('cached').replace('<name>', '<!-- c -->\n   <name>'));
      const done = await waitForStatus(d.url, `/imagefactory/base_images/${second.image.id}`, ['COMPLETE']);
      assert.equal((done.properties as Record<string, unknown>).cached_from, first.image.id);
      const raw = await fetch(`${d.url}/imagefactory/base_images/${second.image.id}/raw_image`, { headers: { range: 'bytes=0-14' } });
      assert.equal(await raw.text(), 'MockOS disk for');
      const third = await postBase(d.url, mockTemplate('cached'), { build_cache: false });
      const fresh = await waitForStatus(d.url, `/imagefactory/base_images/${third.image.id}`, ['COMPLETE']);
      assert.equal((fresh.properties as Record<string, unknown>).cached_from, undefined);
      // Deleting the original keeps the reused copy intact (hard links, not shared records).
      await fetch(`${d.url}/imagefactory/base_images/${first.image.id}`, { method: 'DELETE' });
      await waitForStatus(d.url, `/imagefactory/base_images/${first.image.id}`, ['HTTP 404']);
      assert.equal((await fetch(`${d.url}/imagefactory/base_images/${second.image.id}/raw_image`)).status, 200);
    } finally { await d.stop(); await removeDir(d.dataDir); }
  });

  test('200 concurrent POSTs: every one answered 202, none lost', async () => {
    const d = await startTestDaemon({ file: { max_concurrent_local_sessions: 4 } });
    try {
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => postBase(d.url, mockTemplate(`c${i}`))));
      assert.deepEqual([...new Set(results.map((r) => r.status))], [202]);
      const ids = new Set(results.map((r) => r.image.id));
      assert.equal(ids.size, 200);
      const list = (await (await fetch(`${d.url}/imagefactory/base_images`)).json()).base_images as { base_image: { id: string } }[];
      assert.deepEqual(new Set(list.map((x) => x.base_image.id)), ids);
      for (const r of results.slice(0, 5)) await waitForStatus(d.url, `/imagefactory/base_images/${r.image.id}`, ['COMPLETE'], 60_000);
    } finally { await d.stop(); await removeDir(d.dataDir); }
  });

  test('restart keeps every image; a build interrupted by shutdown is FAILED with the reason, never BUILDING', async () => {
    const d = await startTestDaemon();
    const done = await postBase(d.url, mockTemplate('keep'));
    await waitForStatus(d.url, `/imagefactory/base_images/${done.image.id}`, ['COMPLETE']);
    const running = await postBase(d.url, mockTemplate('interrupted'), { mock_delay_ms: 30_000 });
    await waitForStatus(d.url, `/imagefactory/base_images/${running.image.id}`, ['BUILDING']);
    await d.stop();
    const again = await startTestDaemon({ dataDir: d.dataDir });
    try {
      const kept = await waitForStatus(again.url, `/imagefactory/base_images/${done.image.id}`, ['COMPLETE']);
      assert.match(kept.icicle as string, /mock-base/);
      const stopped = (await (await fetch(`${again.url}/imagefactory/base_images/${running.image.id}`)).json()).base_image;
      assert.equal(stopped.status, 'FAILED');
      assert.match(stopped.status_detail.error, /imagefactoryd was stopped \(SIGTERM\) while this image was building/);
      assert.equal((await fetch(`${again.url}/imagefactory/base_images/${done.image.id}/raw_image`)).status, 200);
    } finally { await again.stop(); await removeDir(d.dataDir); }
  });
});
