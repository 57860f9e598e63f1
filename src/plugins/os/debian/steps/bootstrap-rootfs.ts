/**
 * Step 1: mmdebstrap installs the release (minbase + kernel + boot packages) into a directory.
 * Only the suite named by the template's install URL is used (no -updates/-security: those live at
 * other URLs on Debian; templates add them as <repositories>). Downloaded .debs are kept in a cache
 * directory shared between builds (synced in before and out after), so later builds download less.
 */
import { mkdir, readdir } from 'node:fs/promises';
import type { Exec } from '../../../sdk/exec.js';
import { AppError } from '../../../../domain/errors.js';
import { BOOT_PACKAGES, type DebianRelease } from '../releases.js';
import { MmdebstrapProgress, type ToolProgress } from './apt-progress.js';
import { INITRAMFS_DIVERSION_HOOK, initramfsAfterBootstrap } from './initramfs.js';

export const DPKG_UNSAFE_IO = 'force-unsafe-io';
/** Where mmdebstrap writes --dpkgopt options inside the image. */
export const MMDEBSTRAP_DPKG_CFG = '/etc/dpkg/dpkg.cfg.d/99mmdebstrap';

export interface BootstrapOptions {
  release: DebianRelease;
  mirrorUrl: string;
  rootDir: string;
  /** Directory of cached .deb files; null disables caching. */
  debCacheDir: string | null;
  /** Receives mmdebstrap's output lines (the build log) and the progress read from them. */
  log?: (line: string) => void;
  onProgress?: (p: ToolProgress) => void;
}

export function bootstrapArgv(o: BootstrapOptions): string[] {
  const include = [o.release.kernelPackage, ...BOOT_PACKAGES];
  const argv = [
    // --verbose: apt's and dpkg's own lines instead of a progress bar mmdebstrap draws only on a TTY;
    // their package counts drive percent_complete (apt-progress.ts).
    'mmdebstrap', '--verbose', '--mode=root', '--variant=minbase', '--arch=amd64',
    `--components=${o.release.components.join(',')}`,
    `--include=${include.join(',')}`,
    `--keyring=${o.release.keyring}`,
    // Keep the package lists: the template's packages are installed right after, in the chroot.
    '--skip=cleanup/apt/lists',
    // Before the kernel and initramfs-tools are unpacked: no initramfs during the install (see initramfs.ts).
    `--essential-hook=${INITRAMFS_DIVERSION_HOOK}`,
    // No fsync per unpacked file (as mkosi does): a half-written tree is thrown away anyway. It lands in
    // /etc/dpkg/dpkg.cfg.d/99mmdebstrap, so the template's packages get it too; finalize-image removes it.
    `--dpkgopt=${DPKG_UNSAFE_IO}`,
  ];
  if (o.debCacheDir) {
    // sync-in/sync-out are mmdebstrap's own (non-shell) hooks; the mkdir hook is fixed text.
    argv.push(
      '--skip=essential/unlink',
      '--setup-hook=mkdir -p "$1/var/cache/apt/archives/partial"',
      `--setup-hook=sync-in ${o.debCacheDir} /var/cache/apt/archives/`,
      `--customize-hook=sync-out /var/cache/apt/archives ${o.debCacheDir}`,
    );
  }
  argv.push(o.release.codename, o.rootDir, `deb ${o.mirrorUrl} ${o.release.codename} ${o.release.components.join(' ')}`);
  return argv;
}

/** How the shared .deb cache served this build (new files = packages downloaded now). */
export interface DebCacheUse {
  cachedBefore: number;
  downloaded: number;
}

export async function bootstrapRootfs(exec: Exec, o: BootstrapOptions): Promise<DebCacheUse> {
  if (o.debCacheDir && /\s/.test(o.debCacheDir)) {
    throw new AppError('CONFIG_INVALID', `the package cache directory may not contain whitespace: ${o.debCacheDir}`);
  }
  if (o.debCacheDir) await mkdir(o.debCacheDir, { recursive: true });
  const before = await countDebs(o.debCacheDir);
  try {
    const tracker = new MmdebstrapProgress();
    await exec(bootstrapArgv(o), {
      env: { DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C.UTF-8' },
      ...(o.log ? {
        onLine: (line: string) => {
          o.log!(line);
          const p = tracker.feed(line);
          if (p) o.onProgress?.(p);
        },
      } : {}),
    });
    return { cachedBefore: before, downloaded: (await countDebs(o.debCacheDir)) - before };
  } catch (e) {
    if (e instanceof AppError && e.code === 'TOOL_FAILED') {
      throw new AppError('TOOL_FAILED', `installing ${o.release.distro} ${o.release.codename} from ${o.mirrorUrl} failed: ${e.message}`,
        { cause: e, details: e.details });
    }
    throw e;
  }
}

async function countDebs(dir: string | null): Promise<number> {
  if (!dir) return 0;
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.deb')).length;
}

/** The bootstrap as the base layer holds it: mmdebstrap, then the initramfs, built once. */
export async function bootstrapWithInitramfs(exec: Exec, o: BootstrapOptions): Promise<DebCacheUse> {
  const use = await bootstrapRootfs(exec, o);
  await initramfsAfterBootstrap(exec, o.rootDir);
  return use;
}
