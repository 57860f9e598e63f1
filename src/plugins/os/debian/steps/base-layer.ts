/**
 * The OS bootstrap layer: what mmdebstrap installs before any template content (release, arch,
 * mirror, the kernel and boot packages, and the kernel's initramfs), cached as a compressed tree and shared by every template
 * on that release and mirror. Its key covers everything that shapes the tree: the mmdebstrap
 * command (release, components, package set, hooks), mmdebstrap's version, the archive keyring,
 * and the mirror's current signed Release file. A mirror update changes the key, so the next build
 * makes a fresh layer; old ones age out through the cache pruner.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../../domain/errors.js';
import { restoreOrBuildLayer, type LayerUse } from '../../../../platform/tree-layer-store.js';
import type { BuildContext } from '../../../sdk/build-context.js';
import { fetchReleaseFingerprint, sha256Hex, type ReleaseFingerprint } from '../../shared/release-fingerprint.js';
import { removeTree } from '../../shared/remove-tree.js';
import { initramfsAfterBootstrap } from './initramfs.js';
import type { DebianRelease } from '../releases.js';
import { bootstrapArgv, bootstrapRootfs, bootstrapWithInitramfs, type BootstrapOptions, type DebCacheUse } from './bootstrap-rootfs.js';

/** Bump when the layer's contents change in a way the key does not see (e.g. new post-bootstrap steps). */
const LAYER_FORMAT = 2;

export interface BaseLayerResult {
  /** Set when this build ran mmdebstrap. */
  cacheUse: DebCacheUse | null;
  /** Facts for the image's properties: which layer, whether it came from the cache. */
  property: Record<string, unknown>;
}

export function releaseFileUrls(mirrorUrl: string, codename: string): string[] {
  return ['InRelease', 'Release'].map((f) => `${mirrorUrl}/dists/${codename}/${f}`);
}

export function layerKey(parts: { argv: readonly string[]; mmdebstrapVersion: string; keyringSha256: string; release: ReleaseFingerprint }): string {
  return sha256Hex(JSON.stringify({
    format: LAYER_FORMAT, plugin: 'Debian', argv: parts.argv, mmdebstrap: parts.mmdebstrapVersion,
    keyring: parts.keyringSha256, releaseFile: parts.release.sha256,
  }));
}

/**
 * Fills `o.rootDir` with the bootstrapped tree: from the layer cache when it holds this layer,
 * else by running mmdebstrap (and storing the result for the next build).
 */
export async function bootstrapFromLayer(ctx: BuildContext, o: BootstrapOptions): Promise<BaseLayerResult> {
  let release: ReleaseFingerprint;
  try {
    release = await fetchReleaseFingerprint(releaseFileUrls(o.mirrorUrl, o.release.codename), ctx.signal);
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    ctx.log(`base layer not used: ${(e as Error).message}`);
    return { cacheUse: await bootstrapWithInitramfs(ctx.exec, o), property: { source: 'none', reason: (e as Error).message } };
  }
  const { stdout: version } = await ctx.exec(['mmdebstrap', '--version'], { onLine: () => {} });
  const key = layerKey({
    // Placeholders: where this build's tree and the .deb cache live does not change the tree.
    argv: bootstrapArgv({ ...o, rootDir: 'ROOT', debCacheDir: o.debCacheDir ? 'DEBCACHE' : null }),
    mmdebstrapVersion: version.trim(),
    keyringSha256: sha256Hex(await readFile(o.release.keyring)),
    release,
  });
  let cacheUse: DebCacheUse | null = null;
  const use: LayerUse = await restoreOrBuildLayer({
    dir: join(ctx.cacheDir, 'layers'), key, treeDir: o.rootDir, exec: ctx.exec, log: ctx.log, signal: ctx.signal, removeTree,
    inputs: { distro: o.release.distro, release: o.release.codename, arch: 'amd64', mirror: o.mirrorUrl, releaseFile: release },
    build: async (treeDir) => {
      cacheUse = await bootstrapRootfs(ctx.exec, { ...o, rootDir: treeDir });
      await assertSameRelease(treeDir, o.release, o.mirrorUrl, release);
      await initramfsAfterBootstrap(ctx.exec, treeDir);
    },
  });
  ctx.log(`base layer ${key.slice(0, 16)}: ${use.source === 'cache' ? `restored from the cache (built ${use.meta.created})` : 'built now'}`);
  return {
    cacheUse,
    property: {
      id: key, source: use.source, created: use.meta.created,
      release: o.release.codename, mirror: o.mirrorUrl, releaseFileSha256: release.sha256, releaseDate: release.date,
      ...(use.rejected ? { rejectedStoredLayer: use.rejected } : {}),
      ...(use.source === 'built' && !use.stored ? { stored: false } : {}),
    },
  };
}

/**
 * The release file apt fetched during the bootstrap must be the one the key was computed from;
 * otherwise the mirror was updated mid-build and the tree would be cached under the wrong key.
 */
export async function assertSameRelease(treeDir: string, release: DebianRelease, mirrorUrl: string, expected: ReleaseFingerprint): Promise<void> {
  const lists = join(treeDir, 'var/lib/apt/lists');
  const names = (await readdir(lists).catch(() => [] as string[]))
    .filter((n) => n.endsWith(`_dists_${release.codename}_InRelease`) || n.endsWith(`_dists_${release.codename}_Release`));
  if (names.length === 0) return;
  for (const n of names) if (sha256Hex(await readFile(join(lists, n))) === expected.sha256) return;
  throw new AppError('BUILD_FAILED', `the archive ${mirrorUrl} changed during the build: its ${release.codename} release file`
    + ` (dated ${expected.date ?? 'unknown'} when the build started) was replaced while packages were installed; build again`);
}
