import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { builtinPlugins } from '../../src/main/builtin-plugins.js';
import { removeDir, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js';

const tdl = (name: string, version: string, arch: string, install: string) => `<template><name>t</name><os>
  <name>${name}</name><version>${version}</version><arch>${arch}</arch>${install}<rootpw>x</rootpw></os></template>`;
const url = "<install type='url'><url>http://deb.example/debian</url></install>";
const iso = "<install type='iso'><iso>http://example/d.iso</iso></install>";

describe('the product plugins, as the API shows and checks them (no build)', () => {
  let d: TestDaemon;
  before(async () => { d = await startTestDaemon({ plugins: builtinPlugins() }); });
  after(async () => { await d.stop(); await removeDir(d.dataDir); });

  const post = (template: string) => fetch(`${d.url}/imagefactory/base_images`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ base_image: { template } }),
  });

  test('unsupported OS/install combinations are refused at POST with a clear 400, nothing stored', async () => {
    const cases: [string, RegExp][] = [
      [tdl('Debian', '12', 'x86_64', iso), /iso/i],
      [tdl('Debian', '12', 'ppc64', url), /ppc64/],
      [tdl('Debian', 'hamm-and-eggs', 'x86_64', url), /hamm-and-eggs/],
      [tdl('Fedora', '20', 'x86_64', url), /Fedora 20|Berkeley|33/],
      [tdl('Windows', '10', 'x86_64', url), /No OS plugin supports Windows/],
    ];
    for (const [template, message] of cases) {
      const res = await post(template);
      const body = await res.text();
      assert.equal(res.status, 400, body);
      assert.match(body, message);
    }
    assert.deepEqual(await d.container.store.list(), []);
  });

  test("the original manual's plugin ids are aliases; an unknown id's 404 lists the valid ids", async () => {
    for (const [alias, id] of [['OpenStackCloud', 'OpenStack'], ['EC2Cloud', 'EC2'], ['FedoraOS', 'RedHat']]) {
      const res = await fetch(`${d.url}/imagefactory/plugins/${alias}`);
      assert.equal(res.status, 200, alias);
      const doc = await res.json();
      assert.equal(doc.id, id);
      assert.equal(doc.href, `${d.url}/imagefactory/plugins/${id}`);
    }
    const missing = await fetch(`${d.url}/imagefactory/plugins/NoSuchCloud`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /^No plugin found with id: NoSuchCloud; valid ids: Debian, RedHat, .*OpenStack.* \(aliases: OpenStackCloud, EC2Cloud, .*FedoraOS/);
  });

  test('plugins are listed with their metadata and no ERROR on a machine set up by scripts/setup.sh', async () => {
    const { plugins } = await (await fetch(`${d.url}/imagefactory/plugins`)).json();
    const ids = plugins.map((p: { id: string }) => p.id);
    for (const id of ['Debian', 'RedHat', 'EC2', 'OpenStack', 'vSphere', 'Docker', 'OVA']) assert.ok(ids.includes(id), `${id} in ${ids}`);
    for (const p of plugins) assert.equal(p.ERROR, undefined, `${p.id}: ${p.ERROR}`);
    const { targets } = await (await fetch(`${d.url}/imagefactory/targets`)).json();
    const names = targets.map((t: { target: { id: string } }) => t.target.id);
    for (const t of ['ec2', 'openstack-kvm', 'vsphere', 'rhevm', 'azure', 'gce', 'hyperv', 'virtualbox', 'docker', 'ova']) assert.ok(names.includes(t), t);
    const docker = (await (await fetch(`${d.url}/imagefactory/targets/docker/providers`)).json()).providers;
    assert.ok(docker.length >= 1 && docker[0].provider.credential_fields.length >= 1);
  });

  test('a bad target parameter is refused before anything is stored', async () => {
    const res = await fetch(`${d.url}/imagefactory/target_images`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target_image: { target: 'vsphere', template: tdl('Debian', '12', 'x86_64', url), parameters: { vsphere_vmdk_format: 'floppy' } } }),
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /vsphere_vmdk_format/);
    assert.deepEqual(await d.container.store.list(), []);
  });
});
