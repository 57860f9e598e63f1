/**
 * The OS bootstrap layer cache with real builds (issue 11): a build with an empty cache runs
 * mmdebstrap (cold) and stores the layer; the same template again starts from the stored layer.
 * The cold build is the shared base-image fixture's own build when it stored a layer (so this file
 * adds one build); otherwise it is built here.
 * The two images must hold the same packages (names and versions) and the same files (type, mode,
 * owner, size, link target, xattrs, contents), apart from a short list of files that differ
 * between any two builds. The initramfs is generated once, into the layer, and then reused.
 * One real build (~1 min) after the fixture, two (~3–4 min) with a fixture that predates layers.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { debianMirrorUrl } from '../src/platform/apt-sources.js';
import { buildWithDebianPlugin, debianTemplate, fixturesRoot, getBaseImageFixture } from './helpers/base-image-fixture.js';
import type { InstalledPackage } from '../src/domain/template/tdl.js';
import { diffManifests, tarManifest } from './helpers/tar-manifest.js';

/**
 * Files whose contents differ between any two builds of one template, layered or not: the root
 * filesystem UUID (fstab, grub.cfg), the salted root password hash, logs with timestamps. Their
 * type, mode, owner and presence are still compared.
 */
const PER_BUILD = [/^\/etc\/fstab$/, /^\/boot\/grub\/grub\.cfg$/, /^\/etc\/shadow-?$/, /^\/var\/log\//];

interface Built { packages: InstalledPackage[]; properties: Record<string, unknown>; logPath: string; rootfsTarPath: string }
let root = '';
let cold: Built;
let layered: Built;

before(async () => {
  const mirror = await debianMirrorUrl();
  const { tdl, xml } = debianTemplate(mirror);
  root = join(fixturesRoot(), `layer-test-${process.pid}`);
  const fixture = await getBaseImageFixture();
  let cacheDir = join(fixturesRoot(), 'cache');
  if ((fixture.properties.baseLayer as Record<string, unknown> | undefined)?.source === 'built') {
    // The shared fixture was the cold build: it bootstrapped and stored the layer in the shared cache.
    cold = { packages: fixture.packages, properties: fixture.properties, logPath: fixture.buildLogPath, rootfsTarPath: fixture.rootfsTarPath };
  } else {
    // A fixture kept from before layers existed (a developer's fixed fixtures dir): build cold here,
    // with a private layer store; downloaded .debs are still shared.
    cacheDir = join(root, 'cache');
    const debs = join(fixturesRoot(), 'cache', 'apt-archives', 'debian-amd64');
    await mkdir(debs, { recursive: true });
    await mkdir(join(cacheDir, 'apt-archives'), { recursive: true });
    await symlink(debs, join(cacheDir, 'apt-archives', 'debian-amd64'));
    const b = await buildWithDebianPlugin({ tdl, xml, outDir: join(root, 'cold'), cacheDir });
    cold = { ...b.result, logPath: b.logPath, rootfsTarPath: b.rootfsTarPath };
  }
  const b = await buildWithDebianPlugin({ tdl, xml, outDir: join(root, 'layered'), cacheDir });
  layered = { ...b.result, logPath: b.logPath, rootfsTarPath: b.rootfsTarPath };
});

after(async () => { if (root) await rm(root, { recursive: true, force: true }); });

test('the first build makes the layer, the second starts from it, and the image says which layer', async () => {
  const a = cold.properties.baseLayer as Record<string, unknown>;
  const b = layered.properties.baseLayer as Record<string, unknown>;
  assert.equal(a.source, 'built');
  assert.equal(b.source, 'cache');
  assert.equal(b.id, a.id);
  assert.match(String(b.id), /^[0-9a-f]{64}$/);
  assert.match(String(b.releaseFileSha256), /^[0-9a-f]{64}$/);
  assert.equal(b.release, 'bookworm');
  const coldLog = await readFile(cold.logPath, 'utf8');
  const layeredLog = await readFile(layered.logPath, 'utf8');
  assert.match(coldLog, /^I: success in [\d.]+ seconds$/m, 'mmdebstrap ran');
  assert.doesNotMatch(layeredLog, /^I: success in/m, 'the layered build does not bootstrap');
  assert.match(layeredLog, /restored from the cache/);
});

test('the initramfs is generated once by the cold build (into the layer) and reused by the layered one', async () => {
  const generated = async (b: Built) => (await readFile(b.logPath, 'utf8')).split('\n')
    .filter((l) => /update-initramfs: Generating \/boot\/initrd\.img-/.test(l)).length;
  assert.equal(await generated(cold), 1, cold.logPath);
  assert.equal(await generated(layered), 0, layered.logPath);
});

test('cold and layered builds install the same packages and the same files', async () => {
  assert.ok(cold.packages.length > 100);
  assert.deepEqual(layered.packages, cold.packages);
  const [a, b] = await Promise.all([tarManifest(cold.rootfsTarPath), tarManifest(layered.rootfsTarPath)]);
  assert.ok(a.size > 10_000, `${a.size} entries`);
  assert.ok(a.has('/usr/bin/less'), 'the template package is in');
  assert.ok([...a.keys()].some((p) => /^\/boot\/initrd\.img-/.test(p)), 'an initramfs exists');
  assert.ok(!a.has('/etc/dpkg/dpkg.cfg.d/99mmdebstrap'), 'the install-time dpkg options (force-unsafe-io) are gone');
  assert.ok(!a.has('/usr/sbin/update-initramfs.imagefactory-real'), 'the real update-initramfs is back in place');
  assert.ok(a.has('/usr/sbin/update-initramfs'));
  const diff = diffManifests(a, b, (p) => PER_BUILD.some((re) => re.test(p)));
  assert.deepEqual(diff, []);
  // Contents were compared (sizes and hashes), and only a handful of per-build files may differ.
  assert.match(a.get('/usr/bin/less')?.content ?? '', /^\d+ [0-9a-f]{64}$/);
  const differing = [...a.values()].filter((e) => e.content !== null && b.get(e.path)?.content !== e.content).map((e) => e.path);
  assert.ok(differing.length <= 8, differing.join(', '));
});
