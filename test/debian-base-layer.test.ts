/**
 * The OS bootstrap layer cache with real builds (issue 11): a build with an empty cache runs
 * mmdebstrap (cold) and stores the layer; the same template again starts from the stored layer.
 * The two images must hold the same packages (names and versions) and the same files (type, mode,
 * owner, size, link target, xattrs, contents), apart from a short list of files that differ
 * between any two builds. The initramfs is generated once, into the layer, and then reused.
 * Two real builds (~2–4 min); the .deb cache is shared with the base-image fixture's.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { debianMirrorUrl } from '../src/platform/apt-sources.js';
import { buildWithDebianPlugin, debianTemplate, fixturesRoot } from './helpers/base-image-fixture.js';
import { diffManifests, tarManifest } from './helpers/tar-manifest.js';

/**
 * Files whose contents differ between any two builds of one template, layered or not: the root
 * filesystem UUID (fstab, grub.cfg), the salted root password hash, logs with timestamps. Their
 * type, mode, owner and presence are still compared.
 */
const PER_BUILD = [/^\/etc\/fstab$/, /^\/boot\/grub\/grub\.cfg$/, /^\/etc\/shadow-?$/, /^\/var\/log\//];

type Built = Awaited<ReturnType<typeof buildWithDebianPlugin>>;
let root = '';
let cold: Built;
let layered: Built;

before(async () => {
  const mirror = await debianMirrorUrl();
  const { tdl, xml } = debianTemplate(mirror, { name: 'layer-test' });
  root = join(fixturesRoot(), `layer-test-${process.pid}`);
  const cacheDir = join(root, 'cache');
  // Share downloaded .debs with the fixture's cache; the layer store stays private to this test.
  const debs = join(fixturesRoot(), 'cache', 'apt-archives', 'debian-amd64');
  await mkdir(debs, { recursive: true });
  await mkdir(join(cacheDir, 'apt-archives'), { recursive: true });
  await symlink(debs, join(cacheDir, 'apt-archives', 'debian-amd64'));
  cold = await buildWithDebianPlugin({ tdl, xml, outDir: join(root, 'cold'), cacheDir });
  layered = await buildWithDebianPlugin({ tdl, xml, outDir: join(root, 'layered'), cacheDir });
});

after(async () => { if (root) await rm(root, { recursive: true, force: true }); });

test('the first build makes the layer, the second starts from it, and the image says which layer', async () => {
  const a = cold.result.properties.baseLayer as Record<string, unknown>;
  const b = layered.result.properties.baseLayer as Record<string, unknown>;
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
  assert.ok(cold.result.packages.length > 100);
  assert.deepEqual(layered.result.packages, cold.result.packages);
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
