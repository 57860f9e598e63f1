/**
 * The Debian OS plugin for real: the shared fixture (mmdebstrap from this machine's mirror, chroot
 * customization, GPT disk with GRUB) is inspected, booted under TCG with BIOS and UEFI, and failing
 * templates are checked for clear errors. Expect ~2 min for the fixture, ~50 s per boot and
 * ~70 s per failure build (the bootstrap runs before the failing step).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../src/platform/exec.js';
import { bootTest } from '../src/platform/boot-test.js';
import { kvmUsable } from '../src/platform/kvm-probe.js';
import { debianMirrorUrl } from '../src/platform/apt-sources.js';
import { AppError } from '../src/domain/errors.js';
import { mountPoints } from '../src/plugins/os/shared/chroot-session.js';
import {
  FIXTURE, buildWithDebianPlugin, debianTemplate, fixturesRoot, getBaseImageFixture,
} from './helpers/base-image-fixture.js';

const fromTar = async (tar: string, path: string) => (await runTool(['tar', '-xOf', tar, `.${path}`], { onLine: () => {} })).stdout;

test('the fixture is a real bookworm image with the template applied', async () => {
  const f = await getBaseImageFixture();
  const names = new Set(f.packages.map((p) => p.name));
  for (const p of [FIXTURE.package, 'linux-image-amd64', 'systemd-sysv', 'openssh-server', 'ifupdown']) assert.ok(names.has(p), p);
  assert.ok(f.packages.every((p) => p.version && p.arch));
  assert.equal((await stat(f.diskPath)).size, FIXTURE.diskBytes);

  // The template's file, precommand and command took effect inside the image.
  assert.equal(await fromTar(f.rootfsTarPath, FIXTURE.filePath), FIXTURE.fileContent);
  assert.equal((await fromTar(f.rootfsTarPath, FIXTURE.commandOutputPath)).trim(), FIXTURE.commandOutput);
  await fromTar(f.rootfsTarPath, FIXTURE.precommandOutputPath);
  // fstab mounts the root filesystem by UUID, the same UUID the disk's ext4 has.
  const uuid = String(f.properties.rootFsUuid);
  assert.match(await fromTar(f.rootfsTarPath, '/etc/fstab'), new RegExp(`^UUID=${uuid} / ext4 `, 'm'));
  const partition = JSON.parse((await runTool(['sfdisk', '-J', f.diskPath])).stdout).partitiontable.partitions[2];
  assert.match((await runTool(['blkid', '-p', '-O', String(partition.start * 512), '-o', 'export', f.diskPath])).stdout, new RegExp(`UUID=${uuid}`));
  // kernelparam reaches the boot entry; rootpw is stored hashed only.
  assert.match(await fromTar(f.rootfsTarPath, '/boot/grub/grub.cfg'), new RegExp(`linux /vmlinuz root=UUID=${uuid} .*${FIXTURE.kernelParam}`));
  const shadowRoot = (await fromTar(f.rootfsTarPath, '/etc/shadow')).split('\n').find((l) => l.startsWith('root:'))!;
  assert.match(shadowRoot, /^root:\$y\$/);
  assert.doesNotMatch(shadowRoot, /fixture-root-pw/);
  // The non-persisted repository was used for the install, then removed; build-host leftovers are gone.
  assert.match(await readFile(f.buildLogPath, 'utf8'), /bookworm-updates/);
  const listing = (await runTool(['tar', '-tf', f.rootfsTarPath], { onLine: () => {} })).stdout.split('\n');
  assert.ok(!listing.some((p) => p.includes(`imagefactory-${FIXTURE.repositoryName}`)));
  for (const gone of ['./etc/resolv.conf', './usr/sbin/policy-rc.d', './etc/ssh/ssh_host_ed25519_key']) assert.ok(!listing.includes(gone), gone);
  assert.ok(listing.includes('./etc/systemd/system/multi-user.target.wants/imagefactory-selftest.service'));
  assert.deepEqual(f.properties.bootModes, ['bios', 'uefi']);
});

for (const firmware of ['bios', 'uefi'] as const) {
  test(`the fixture disk boots to a login prompt or the self-test marker with ${firmware} firmware (TCG)`, async () => {
    const f = await getBaseImageFixture();
    const kvm = await kvmUsable();
    const serialLogPath = join(fixturesRoot(), `serial-${firmware}.log`);
    const milestones: string[] = [];
    const r = await bootTest({ diskPath: f.diskPath, format: 'raw', firmware, kvm, serialLogPath, timeoutMs: 300_000, onMilestone: (m) => milestones.push(m) });
    assert.ok(r.ok, `no login prompt or marker; serial log in ${serialLogPath}`);
    // Boot progress comes from what the console printed, each stage once, in order.
    assert.deepEqual(milestones, ['firmware', 'bootloader', 'kernel', 'init', 'login']);
    assert.match(r.marker!, /login:|SELFTEST-MARKER-OK/);
    const serial = await readFile(serialLogPath, 'latin1');
    // Booted through GRUB with the image's own command line (not qemu -kernel).
    assert.match(serial, new RegExp(`Command line: BOOT_IMAGE=/vmlinuz root=UUID=${f.properties.rootFsUuid}.*${FIXTURE.kernelParam}`));
  });
}

async function expectBuildFailure(overrides: Parameters<typeof debianTemplate>[1], pattern: RegExp): Promise<string> {
  const { tdl, xml } = debianTemplate(await debianMirrorUrl(), { repositories: [], precommands: [], ...overrides });
  await mkdir(fixturesRoot(), { recursive: true });
  const outDir = await mkdtemp(join(fixturesRoot(), 'fail-'));
  try {
    await assert.rejects(buildWithDebianPlugin({ tdl, xml, outDir, cacheDir: join(fixturesRoot(), 'cache') }), (e: unknown) => {
      assert.ok(e instanceof AppError, String(e));
      assert.match(e.message, pattern);
      return true;
    });
    // Partial outputs are removed.
    await assert.rejects(stat(join(outDir, 'disk.raw')));
    await assert.rejects(stat(join(outDir, 'rootfs.tar')));
    return await readFile(join(outDir, 'build.log'), 'utf8');
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

test('an unknown package fails the build with apt\'s message naming it; the bootstrap reused the package cache or the base layer', async () => {
  await getBaseImageFixture(); // fills the shared .deb cache first
  const log = await expectBuildFailure(
    { packages: [{ name: 'no-such-package-imagefactory', repository: null, file: null, arguments: null }], commands: [], files: [] },
    /template's packages \(no-such-package-imagefactory\) failed.*Unable to locate package no-such-package-imagefactory/s,
  );
  // The second build downloads nothing the first one already fetched: it starts from the base layer
  // the fixture's build stored, or (a fixture built before layers existed) bootstraps from cached .debs.
  assert.match(log, /base layer [0-9a-f]{16}: restored from the cache|package cache: \d+ packages were cached, 0 downloaded/);
});

test('a failing template command fails the build with a message naming the command and its output', async () => {
  await expectBuildFailure(
    { packages: [], files: [], commands: [{ name: 'explode', position: null, type: 'raw', content: 'echo "boom from the template" >&2; exit 3' }] },
    /command "explode" failed inside the image.*exit 3.*boom from the template/s,
  );
});

test('cancelling during the bootstrap stops mmdebstrap and leaves no mounts, tree or outputs behind', async () => {
  await mkdir(fixturesRoot(), { recursive: true });
  const outDir = await realpath(await mkdtemp(join(fixturesRoot(), 'cancel-')));
  const { tdl, xml } = debianTemplate(await debianMirrorUrl(), { repositories: [], precommands: [] });
  const ac = new AbortController();
  try {
    // layer_cache=false: mmdebstrap must run even when the fixture's build stored a base layer.
    const build = buildWithDebianPlugin({ tdl, xml, outDir, cacheDir: join(fixturesRoot(), 'cache'), signal: ac.signal, parameters: { layer_cache: false } });
    const failed = build.then(() => null, (e: unknown) => e);
    // Wait until mmdebstrap works inside its chroot (its mounts are up), then cancel.
    for (;;) {
      const log = await readFile(join(outDir, 'build.log'), 'utf8').catch(() => '');
      if (log.includes('installing remaining packages inside the chroot')) break;
      const early = await Promise.race([failed, new Promise((r) => setTimeout(() => r('pending'), 500))]);
      assert.equal(early, 'pending', `the build ended before it could be cancelled: ${String(early)}`);
    }
    ac.abort();
    const e = await failed;
    assert.ok(e instanceof AppError && e.code === 'BUILD_CANCELLED', String(e));
    assert.deepEqual((await mountPoints()).filter((p) => p.startsWith(outDir)), []);
    const left = await readdir(outDir);
    assert.deepEqual(left.filter((n) => n !== 'build.log'), []);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
});
