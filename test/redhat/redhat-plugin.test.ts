/**
 * The RedHat OS plugin against a real local rpm repository (rpmbuild + createrepo_c, served over
 * HTTP on 127.0.0.1): the host's dnf installs into the tree, the template's customization runs in
 * the chroot, the disk and rootfs tar are real; failures name the package or the URL.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExec, runTool } from '../../src/platform/exec.js';
import { AppError } from '../../src/domain/errors.js';
import type { Tdl } from '../../src/domain/template/tdl.js';
import type { BaseImageContext } from '../../src/plugins/sdk/index.js';
import { redhatOsPlugin } from '../../src/plugins/os/redhat/index.js';
import { startLocalRpmRepos, type LocalRpmRepos } from './local-rpm-repo.js';

let repos: LocalRpmRepos;
let scratch: string;
before(async () => {
  repos = await startLocalRpmRepos();
  scratch = await mkdtemp(join(tmpdir(), 'redhat-plugin-'));
});
after(async () => {
  await repos?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function template(overrides: Partial<Tdl> = {}, install = repos.baseUrl): Tdl {
  return {
    version: '1.0', name: 'Lite Test', description: null,
    os: { name: 'Fedora', version: '40', arch: 'x86_64', install: { type: 'url', url: install }, rootpw: 'secret-pw', key: null, kernelparam: null, icicleExtraCommand: null },
    packages: [{ name: 'hello-tool', repository: null, file: null, arguments: null }, { name: 'extra-tool', repository: null, file: null, arguments: null }],
    files: [{ name: '/etc/motd.d/imagefactory', type: 'raw', content: 'written by a TDL file\n' }],
    commands: [{ name: 'mark', position: null, type: 'raw', content: 'hello-tool > /etc/command-ran; cat /usr/share/hello/data.txt >> /etc/command-ran' }],
    precommands: [],
    repositories: [
      { name: 'extra', url: repos.extraUrl, signed: false, persisted: true, sslverify: false },
      { name: 'temp only', url: repos.extraUrl, signed: true, persisted: false, sslverify: true },
    ],
    diskSizeBytes: 256 * 1024 * 1024,
    ...overrides,
  };
}

async function build(name: string, tdl: Tdl) {
  const out = join(scratch, name);
  const workDir = join(out, 'work');
  await runTool(['mkdir', '-p', workDir]);
  const lines: string[] = [];
  const progress: [number, string][] = [];
  const signal = new AbortController().signal;
  const ctx: BaseImageContext = {
    imageId: name, workDir, signal, cacheDir: join(scratch, 'cache'),
    exec: createExec({ signal, onLine: (l) => lines.push(l) }),
    log: (l) => lines.push(l), progress: (p, a) => progress.push([p, a]),
    template: tdl, templateXml: '', parameters: {},
    outputs: { diskPath: join(out, 'disk.raw'), rootfsTarPath: join(out, 'rootfs.tar') },
  };
  const result = await redhatOsPlugin.createBaseImage(ctx);
  return { result, lines, progress, ...ctx.outputs };
}

const fromTar = async (tar: string, path: string) => (await runTool(['tar', '-xOf', tar, `./${path}`])).stdout;

test('installs @core, the template packages with their dependency and the extra repository; applies files, commands, rootpw', async () => {
  // The second repository is signed (gpgcheck=1) but holds the same package: only "extra" may serve it.
  const { result, lines, progress, diskPath, rootfsTarPath } = await build('ok', template({
    repositories: [{ name: 'extra', url: repos.extraUrl, signed: false, persisted: true, sslverify: false }],
  }));
  const byName = new Map(result.packages.map((p) => [p.name, p]));
  assert.deepEqual([...byName.keys()].sort(), ['busybox-shell', 'extra-tool', 'filesystem-lite', 'hello-data', 'hello-tool']);
  assert.deepEqual(byName.get('hello-tool'), { name: 'hello-tool', version: '2.1-1', arch: 'noarch' });
  assert.deepEqual(byName.get('busybox-shell'), { name: 'busybox-shell', version: '1.35-1', arch: 'x86_64' });
  assert.ok(lines.some((l) => /has the core group: installing @core/.test(l)));
  // dnf's own counters move the install step (5..45): downloads, then installing, then verifying.
  const dnf = progress.filter(([, a]) => /^Installing @core: (downloading|installing|verifying)$/.test(a));
  assert.deepEqual([...new Set(dnf.map(([, a]) => a.split(': ')[1]))], ['downloading', 'installing', 'verifying']);
  assert.deepEqual(dnf.map(([p]) => p), dnf.map(([p]) => p).sort((x, y) => x - y));
  assert.ok(dnf.every(([p]) => p > 5 && p <= 45) && dnf.at(-1)![0] === 45, JSON.stringify(dnf));

  assert.equal(await fromTar(rootfsTarPath, 'etc/motd.d/imagefactory'), 'written by a TDL file\n');
  assert.equal(await fromTar(rootfsTarPath, 'etc/command-ran'), 'hello\ndata\n');
  assert.match(await fromTar(rootfsTarPath, 'etc/shadow'), /^root:\$6\$[A-Za-z0-9./]+\$[A-Za-z0-9./]+:/);
  assert.equal(await fromTar(rootfsTarPath, 'etc/hostname'), 'lite-test\n');
  const uuid = String(result.properties.rootFsUuid);
  assert.match(await fromTar(rootfsTarPath, 'etc/fstab'), new RegExp(`^UUID=${uuid} / ext4`, 'm'));
  // Fedora 40 keeps its rpm database in /usr/lib/sysimage/rpm, and the image's rpm finds it there.
  const listing = (await runTool(['tar', '-tf', rootfsTarPath])).stdout.split('\n');
  assert.ok(listing.includes('./usr/lib/sysimage/rpm/rpmdb.sqlite'));
  assert.ok(!listing.some((p) => p.startsWith('./root/.rpmdb')));
  // Persisted repository kept, the install tree's repository removed, dnf's caches gone.
  assert.match(await fromTar(rootfsTarPath, 'etc/yum.repos.d/imagefactory-extra.repo'), new RegExp(`baseurl=${repos.extraUrl}\ngpgcheck=0|baseurl=${repos.extraUrl}`));
  assert.ok(!listing.includes('./etc/yum.repos.d/imagefactory-base.repo'));
  assert.ok(!listing.some((p) => p.startsWith('./var/cache/dnf/')));

  // No kernel in the repository: the plugin says the image cannot boot, and the disk has no GRUB.
  assert.equal(result.bootable, false);
  assert.match(String(result.properties.notBootableReason), new RegExp(`no kernel: the repository ${repos.baseUrl} offers no "kernel"`));
  assert.equal(result.bootTest, undefined);
  const table = JSON.parse((await runTool(['sfdisk', '-J', diskPath])).stdout).partitiontable;
  assert.equal(table.partitions.length, 3);
  const probe = await runTool(['blkid', '-p', '-O', String(table.partitions[2].start * 512), '-o', 'export', diskPath]);
  assert.match(probe.stdout, new RegExp(`UUID=${uuid}`));
  const mbr = (await readFile(diskPath)).subarray(0, 440);
  assert.ok(mbr.every((b) => b === 0), 'no boot code without a kernel');
});

test('a signed repository gets gpgcheck=1: its unsigned package is refused', async () => {
  const tdl = template({
    packages: [{ name: 'extra-tool', repository: null, file: null, arguments: null }],
    repositories: [{ name: 'signed one', url: repos.extraUrl, signed: true, persisted: false, sslverify: true }],
  });
  await assert.rejects(build('signed', tdl), (e: unknown) => e instanceof AppError && /extra-tool/.test(e.message) && /GPG|signature|key/i.test(e.message + JSON.stringify(e.details ?? {})));
});

test('an unknown package is named in the error', async () => {
  const tdl = template({ packages: [{ name: 'no-such-package', repository: null, file: null, arguments: null }], repositories: [] });
  await assert.rejects(build('unknown', tdl), (e: unknown) => e instanceof AppError && e.code === 'BUILD_FAILED'
    && /no package or group named "no-such-package"/.test(e.message));
});

test('an unreachable repository is named by its URL', async () => {
  await assert.rejects(build('dead', template({ repositories: [] }, repos.deadUrl)), (e: unknown) => e instanceof AppError
    && e.message.includes(`the repository ${repos.deadUrl} cannot be read`) && /Curl error/.test(e.message));
});

test('check: x86_64 only, url installs only, supported releases, package names', () => {
  const t = template();
  assert.deepEqual(redhatOsPlugin.check(t), []);
  assert.deepEqual(redhatOsPlugin.check({ ...t, os: { ...t.os, name: 'CentOS-9', version: '4' } }), []);
  assert.match(redhatOsPlugin.check({ ...t, os: { ...t.os, arch: 'aarch64' } }).join(), /aarch64 is not supported.*only x86_64/);
  const iso = redhatOsPlugin.check({ ...t, os: { ...t.os, install: { type: 'iso', iso: 'http://x/y.iso', checksum: null, extras: [] } } }).join();
  assert.match(iso, /install type='iso'> is not supported.*Fedora 33 and later, RHEL-9, RHEL-10, CentOS-9 and CentOS-10.*x86_64.*<install type='url'>/);
  assert.match(redhatOsPlugin.check({ ...t, os: { ...t.os, install: { type: 'url', url: '' } } }).join(), /install url must be/);
  assert.match(redhatOsPlugin.check({ ...t, os: { ...t.os, name: 'RHEL-7', version: '9' } }).join(), /RHEL-7 keeps its rpm database in Berkeley DB/);
  assert.match(redhatOsPlugin.check({ ...t, os: { ...t.os, version: '30' } }).join(), /Fedora 30 keeps its rpm database in Berkeley DB/);
  assert.match(redhatOsPlugin.check({ ...t, packages: [{ name: '--nogpgcheck', repository: null, file: null, arguments: null }] }).join(), /"--nogpgcheck" is not a valid package name/);
  assert.match(redhatOsPlugin.check({ ...t, os: { ...t.os, kernelparam: 'a; b' } }).join(), /kernelparam may not contain/);
  assert.deepEqual(redhatOsPlugin.info.targets.slice(0, 2), [['Fedora', null, null], ['RHEL-5', null, null]]);
  assert.ok(redhatOsPlugin.info.targets.some((x) => x[0] === 'ScientificLinux-7'));
});
