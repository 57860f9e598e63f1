import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capabilitiesOf, imageJobSpec } from '../../src/core/jobs/image-job-spec.js';
import { newImageRecord } from '../../src/core/images/new-image-record.js';
import { builtinPlugins } from '../../src/main/builtin-plugins.js';
import { hasCommand } from '../../src/platform/exec.js';
import { PluginRegistry } from '../../src/plugins/registry.js';
import { InProcessJobQueue } from '../../src/queue/in-process-job-queue.js';

const DEBIAN = `<template><name>d</name><os><name>Debian</name><version>12</version><arch>x86_64</arch>
  <install type='url'><url>http://deb.debian.org/debian</url></install><rootpw>x</rootpw></os></template>`;

test('a worker without mmdebstrap does not advertise os:Debian, so it never takes a Debian build', async () => {
  const { os, cloud, providers } = builtinPlugins();
  const full = await PluginRegistry.load(os, cloud, hasCommand, providers);
  const noMmdebstrap = await PluginRegistry.load(os, cloud, async (cmd) => cmd !== 'mmdebstrap' && hasCommand(cmd), providers);
  const noQemuImg = await PluginRegistry.load(os, cloud, async (cmd) => cmd !== 'qemu-img' && hasCommand(cmd), providers);

  const image = newImageRecord('base_image', { template: DEBIAN });
  const spec = imageJobSpec(image, full);
  assert.equal(spec.requires, 'os:Debian');
  assert.equal(spec.kind, 'build-base-image');

  const capsFull = capabilitiesOf(full, true);
  const capsLacking = capabilitiesOf(noMmdebstrap, true);
  assert.ok(capsFull.includes('os:Debian'), 'this machine (set up by scripts/setup.sh) can build Debian');
  assert.ok(!capsLacking.includes('os:Debian'));
  assert.ok(capsLacking.includes('target:ec2'), 'the rest of what it can do is still offered');
  assert.ok(!capabilitiesOf(noQemuImg, false).includes('target:openstack-kvm'), 'targets need their converter');

  const queue = new InProcessJobQueue({ leaseSeconds: 60, retryDelaySeconds: 1 });
  await queue.enqueue(spec);
  assert.equal(await queue.claim(capsLacking), null);
  assert.equal((await queue.claim(capsFull))?.jobId, image.id);
});

test('a target waits for its base, a push for its target: the parent is the job dependency', async () => {
  const { os, cloud, providers } = builtinPlugins();
  const plugins = await PluginRegistry.load(os, cloud, hasCommand, providers);
  const base = newImageRecord('base_image', { template: DEBIAN });
  const target = newImageRecord('target_image', { baseImageId: base.id, target: 'openstack-kvm' });
  assert.deepEqual(imageJobSpec(target, plugins).dependsOn, [base.id]);
  assert.equal(imageJobSpec(target, plugins).requires, 'target:openstack-kvm');
  assert.equal(imageJobSpec({ ...target, parameters: { priority: '5' } }, plugins).priority, 5);
});
