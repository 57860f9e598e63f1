import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { TestDaemon } from '../helpers/test-daemon.js';
import { basic, startCatalogDaemon } from './catalog-fixtures.js';

const run = promisify(execFile);
const PLAYBOOK_BIN = '/usr/bin/ansible-playbook';
const hasAnsible = existsSync(PLAYBOOK_BIN);
const AUTH = basic('admin', 'changeme');

let d: TestDaemon;
let work: string;

before(async () => {
  d = await startCatalogDaemon({ file: { foreman_users: { admin: 'changeme' } } });
  work = await mkdtemp(join(tmpdir(), 'catalog-ansible-'));
  // The parents the playbook names, created through the Foreman API itself.
  for (const [path, body] of [
    ['/api/compute_resources', { compute_resource: { name: 'AWS', provider: 'EC2', url: 'eu-west-1' } }],
    ['/api/operatingsystems', { operatingsystem: { name: 'CentOS', major: '7', family: 'Redhat' } }],
    ['/api/architectures', { architecture: { name: 'x86_64' } }],
  ] as const) {
    const res = await fetch(`${d.url}${path}`, { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 201, `${path}: ${await res.text()}`);
  }
});
after(async () => {
  await d?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs one theforeman.foreman.image task and returns Ansible's per-task result (json callback). */
async function imageTask(args: Record<string, unknown>): Promise<{ changed: boolean; failed?: boolean; msg?: string }> {
  const play = [{
    hosts: 'localhost', gather_facts: false,
    tasks: [{ 'theforeman.foreman.image': { server_url: d.url, username: 'admin', password: 'changeme', validate_certs: false, ...args } }],
  }];
  const file = join(work, 'play.yml');
  await writeFile(file, JSON.stringify(play)); // JSON is YAML
  const env = {
    ...process.env, HOME: work, XDG_CACHE_HOME: join(work, 'cache'), ANSIBLE_LOCAL_TEMP: join(work, 'tmp'),
    ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1', PYTHONWARNINGS: 'ignore',
  };
  const { stdout } = await run(PLAYBOOK_BIN, ['-i', 'localhost,', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3', file], { env, timeout: 180_000 })
    .catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  const report = JSON.parse(stdout.slice(stdout.indexOf('{')));
  return report.plays[0].tasks[0].hosts.localhost;
}

async function listImages(): Promise<{ total: number; results: Record<string, unknown>[] }> {
  const res = await fetch(`${d.url}/api/compute_resources/1/images`, { headers: { authorization: AUTH } });
  return res.json() as never;
}

const IMAGE = { name: 'CentOS', image_uuid: 'ami-0ff760d16d9497662', image_username: 'centos', operatingsystem: 'CentOS 7', compute_resource: 'AWS', architecture: 'x86_64' };

test('Ansible theforeman.foreman.image (Debian ansible) creates, keeps, updates and deletes an image', { skip: !hasAnsible && 'ansible not installed' }, async () => {
  const created = await imageTask({ ...IMAGE, state: 'present' });
  assert.equal(created.failed ?? false, false, created.msg);
  assert.equal(created.changed, true);
  let list = await listImages();
  assert.equal(list.total, 1);
  assert.equal(list.results[0].uuid, 'ami-0ff760d16d9497662');
  assert.equal(list.results[0].username, 'centos');
  assert.equal(list.results[0].operatingsystem_name, 'CentOS 7');
  assert.equal(list.results[0].compute_resource_name, 'AWS');
  assert.equal(list.results[0].user_data, false, 'EC2 compute resources show user_data');

  const again = await imageTask({ ...IMAGE, state: 'present' });
  assert.equal(again.failed ?? false, false, again.msg);
  assert.equal(again.changed, false, 'the second identical run is idempotent');

  const updated = await imageTask({ ...IMAGE, image_username: 'cloud-user', state: 'present' });
  assert.equal(updated.changed, true);
  list = await listImages();
  assert.equal(list.results[0].username, 'cloud-user');

  // The registered image is one catalog image: Nova sees it too.
  const nova = await fetch(`${d.url}/v2.1/images?name=CentOS`);
  assert.equal(((await nova.json()) as { images: unknown[] }).images.length, 1);

  const deleted = await imageTask({ ...IMAGE, state: 'absent' });
  assert.equal(deleted.changed, true);
  assert.equal((await listImages()).total, 0);
  const gone = await imageTask({ ...IMAGE, state: 'absent' });
  assert.equal(gone.changed, false);
});
