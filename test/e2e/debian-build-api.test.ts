/**
 * The product's main path with nothing pretend: a Debian TDL posted to the API becomes a base image
 * (mmdebstrap, disk, GRUB, boot test under QEMU), then qcow2 and VMDK target images, all through
 * HTTP. Slow (~4 min under TCG), so one template does it all.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { debianMirrorUrl } from '../../src/platform/apt-sources.js';
import { builtinPlugins } from '../../src/main/builtin-plugins.js';
import { startCallbackReceiver } from '../helpers/callback-receiver.js';
import { removeDir, startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';

const run = promisify(execFile);
const json = { 'content-type': 'application/json' };

function template(mirror: string): string {
  return `<template>
  <name>api-e2e-bookworm</name>
  <description>built through the REST API by the test suite</description>
  <os>
    <name>Debian</name><version>bookworm</version><arch>x86_64</arch>
    <install type='url'><url>${mirror}</url></install>
    <rootpw>e2e-root-password</rootpw>
  </os>
  <disk><size>2G</size></disk>
  <packages><package name='curl'/></packages>
  <files><file name='/etc/motd'>built by imagefactory e2e</file></files>
  <commands><command name='mark'>echo e2e-command-ran > /root/e2e-mark</command></commands>
</template>`;
}

describe('a real Debian build through the REST API', { timeout: 20 * 60_000 }, () => {
  let d: TestDaemon;
  let xml: string;
  before(async () => {
    xml = template(await debianMirrorUrl());
    d = await startTestDaemon({ plugins: builtinPlugins(), flags: { boot_test: true } });
  });
  after(async () => { await d.stop(); await removeDir(d.dataDir); });

  test('template → boot-tested base image → qcow2 target, progress and callbacks along the way', async () => {
    const rx = await startCallbackReceiver();
    // Every persisted change, as the API would show it (percent_complete and activity).
    const changes = new Map<string, { status: string; percent: number; activity: string }[]>();
    const unsubscribe = d.container.events.subscribe(({ image }) => {
      const list = changes.get(image.id) ?? [];
      list.push({ status: image.status, percent: image.percentComplete, activity: image.statusDetail.activity });
      changes.set(image.id, list);
    });
    try {
      const res = await fetch(`${d.url}/imagefactory/target_images`, {
        method: 'POST', headers: json,
        body: JSON.stringify({ target_image: { target: 'openstack-kvm', template: xml, parameters: { callbacks: [`${rx.url}/cb`] } } }),
      });
      assert.equal(res.status, 202, await res.clone().text());
      const t = (await res.json()).target_image as { id: string; base_image_id: string };

      // Poll like a client: BUILDING with real, growing progress must be visible before COMPLETE.
      const seen: number[] = [];
      let base: Record<string, unknown> = {};
      const deadline = Date.now() + 15 * 60_000;
      for (;;) {
        base = (await (await fetch(`${d.url}/imagefactory/base_images/${t.base_image_id}`)).json()).base_image;
        if (base.status === 'BUILDING') seen.push(base.percent_complete as number);
        if (base.status === 'COMPLETE' || base.status === 'FAILED') break;
        assert.ok(Date.now() < deadline, 'base image build took too long');
        await new Promise((r) => setTimeout(r, 2000));
      }
      assert.equal(base.status, 'COMPLETE', JSON.stringify(base.status_detail));
      assert.ok(seen.some((p) => p > 0 && p < 100), `progress seen while BUILDING: ${seen.join(',')}`);
      const props = base.properties as Record<string, { ok?: boolean; accelerator?: string }>;
      assert.equal(props.boot_test.ok, true, 'the image booted to a login prompt');
      assert.match(base.icicle as string, /<package name="curl">/);

      const target = await waitForStatus(d.url, `/imagefactory/target_images/${t.id}`, ['COMPLETE', 'FAILED'], 10 * 60_000);
      assert.equal(target.status, 'COMPLETE', JSON.stringify(target.status_detail));

      // Honest progress from the real tools: apt/dpkg counts move the bootstrap and the template's
      // packages in many small steps, the boot test moves through the serial console's milestones,
      // never backwards; the build log holds the same values; the waiting target showed them.
      const building = (id: string) => (changes.get(id) ?? []).filter((c) => c.status === 'BUILDING');
      const b = building(t.base_image_id);
      const percents = b.map((c) => c.percent);
      assert.deepEqual(percents, [...percents].sort((x, y) => x - y), `base progress went back: ${percents}`);
      const during = (re: RegExp) => new Set(b.filter((c) => re.test(c.activity)).map((c) => c.percent));
      assert.ok(during(/^Debian bookworm: Installing packages: (unpacking|configuring)$/).size >= 10, 'the bootstrap moves with dpkg');
      assert.ok(during(/^Debian bookworm: Installing the essential packages: /).size >= 3, 'the essential set moves with dpkg');
      assert.ok(during(/^Installing the template packages: /).size >= 1, 'the template\'s packages move with apt');
      for (const m of ['firmware started', 'kernel booting', 'login prompt reached']) {
        assert.ok(b.some((c) => c.activity === `Boot-testing the image under QEMU: ${m}`), m);
      }
      const { readFile } = await import('node:fs/promises');
      const baseLog = await readFile(d.container.artifacts.artifactPath(t.base_image_id, 'build.log'), 'utf8');
      const logged = [...baseLog.matchAll(/ \[(\d+)%\] (.*)$/gm)].map((m) => `${m[1]} ${m[2]}`);
      assert.deepEqual(logged, b.filter((c) => c.activity !== 'Build started').map((c) => `${c.percent} ${c.activity}`));
      const waiting = (changes.get(t.id) ?? []).filter((c) => c.status === 'PENDING').map((c) => c.activity);
      assert.ok(waiting.filter((a) => a.startsWith(`Waiting for base image ${t.base_image_id}: Debian bookworm: Installing packages`) && / \d+%$/.test(a)).length >= 5,
        `the target showed its base's progress while waiting: ${waiting.slice(0, 5).join(' | ')}`);
      const converting = building(t.id).filter((c) => c.activity.startsWith('Converting to')).map((c) => c.percent);
      assert.ok(new Set(converting).size >= 5, `qemu-img progress of the conversion: ${converting}`);
      assert.equal((target.properties as Record<string, unknown>).format, 'qcow2');

      // The downloaded target image is a valid qcow2 holding the whole disk.
      const file = `${d.dataDir}/downloaded.qcow2`;
      const dl = await fetch(`${d.url}/imagefactory/target_images/${t.id}/raw_image`);
      assert.equal(dl.status, 200);
      const { writeFile } = await import('node:fs/promises');
      await writeFile(file, Buffer.from(await dl.arrayBuffer()));
      const info = JSON.parse((await run('qemu-img', ['info', '--output=json', '-f', 'qcow2', file])).stdout);
      assert.equal(info['virtual-size'], 2 * 1024 ** 3);
      await run('qemu-img', ['check', '-f', 'qcow2', file]);

      // The template's file and command took effect inside the image (read back from the rootfs tar).
      const rootfs = `${d.dataDir}/storage/${t.base_image_id}/rootfs.tar`;
      assert.equal((await run('tar', ['-xOf', rootfs, './etc/motd'])).stdout.trim(), 'built by imagefactory e2e');
      assert.equal((await run('tar', ['-xOf', rootfs, './root/e2e-mark'])).stdout.trim(), 'e2e-command-ran');

      const log = await (await fetch(`${d.url}/imagefactory/base_images/${t.base_image_id}/log`)).text();
      assert.match(log, /mmdebstrap/);
      assert.doesNotMatch(log, /e2e-root-password/, 'the root password never reaches the log');
      const serial = await (await fetch(`${d.url}/imagefactory/base_images/${t.base_image_id}/serial_log`)).text();
      assert.match(serial, /login:|SELFTEST-MARKER-OK/);
      const sbom = await (await fetch(`${d.url}/imagefactory/base_images/${t.base_image_id}/sbom`)).json();
      assert.ok(sbom.packages.some((p: { name: string }) => p.name === 'curl'));

      await d.container.callbacks.drain();
      const statuses = rx.received.map((r) => { const doc = JSON.parse(r.body); return `${Object.keys(doc)[0]}:${(Object.values(doc)[0] as { status: string }).status}`; });
      for (const s of ['base_image:BUILDING', 'base_image:COMPLETE', 'target_image:BUILDING', 'target_image:COMPLETE']) assert.ok(statuses.includes(s), `${s} in ${statuses.join(' ')}`);

      // Same template again: the cache answers with the finished base image at once.
      const again = await fetch(`${d.url}/imagefactory/base_images`, { method: 'POST', headers: json, body: JSON.stringify({ base_image: { template: xml } }) });
      const cached = await waitForStatus(d.url, `/imagefactory/base_images/${(await again.json()).base_image.id}`, ['COMPLETE', 'FAILED'], 30_000);
      assert.equal((cached.properties as Record<string, unknown>).cached_from, t.base_image_id);

      // A second target from the same base converts without rebuilding it.
      const vs = await fetch(`${d.url}/imagefactory/base_images/${t.base_image_id}/target_images`, { method: 'POST', headers: json, body: JSON.stringify({ target_image: { target: 'vsphere' } }) });
      const vsDone = await waitForStatus(d.url, `/imagefactory/target_images/${(await vs.json()).target_image.id}`, ['COMPLETE', 'FAILED'], 10 * 60_000);
      assert.equal(vsDone.status, 'COMPLETE', JSON.stringify(vsDone.status_detail));
      assert.equal((vsDone.properties as Record<string, unknown>).vmdk_subformat, 'streamOptimized');
    } finally { unsubscribe(); await rx.close(); }
  });

  test('an unknown package fails the build with apt\'s own message, and the daemon keeps serving', async () => {
    const bad = xml.replace("<package name='curl'/>", "<package name='no-such-package-imagefactory'/>");
    const res = await fetch(`${d.url}/imagefactory/base_images`, { method: 'POST', headers: json, body: JSON.stringify({ base_image: { template: bad } }) });
    const b = (await res.json()).base_image;
    const done = await waitForStatus(d.url, `/imagefactory/base_images/${b.id}`, ['COMPLETE', 'FAILED'], 10 * 60_000);
    assert.equal(done.status, 'FAILED');
    assert.match((done.status_detail as { error: string }).error, /no-such-package-imagefactory/);
    assert.equal((await fetch(`${d.url}/imagefactory`)).status, 200);
    const { readdir } = await import('node:fs/promises');
    assert.deepEqual((await readdir(`${d.dataDir}/images`)).filter((n) => n === b.id), [], 'scratch files removed');
  });
});
