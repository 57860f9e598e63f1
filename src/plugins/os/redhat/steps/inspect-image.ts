/** Read-only facts about the finished tree: installed packages (for the ICICLE) and the kernel. */
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exec } from '../../../sdk/exec.js';
import type { InstalledPackage } from '../../../../domain/template/tdl.js';

export const RPM_QUERY_FORMAT = '%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\n';

/** rpm -qa lines → packages; the epoch is shown as rpm does (E:V-R) when not 0; key pseudo-packages are skipped. */
export function parseRpmQuery(stdout: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const line of stdout.split('\n')) {
    const [name, epoch, vr, arch] = line.split('\t');
    if (!name || !vr || name === 'gpg-pubkey') continue;
    out.push({ name, version: epoch && epoch !== '0' ? `${epoch}:${vr}` : vr, arch: arch === '(none)' ? 'noarch' : arch });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** The host's rpm reads the image's database (HOME carries the release's %_dbpath): nothing of the image runs. */
export async function listPackages(exec: Exec, root: string, rpmHome: string): Promise<InstalledPackage[]> {
  const { stdout } = await exec(['rpm', '-qa', '--root', root, '--qf', RPM_QUERY_FORMAT], { env: { HOME: rpmHome }, onLine: () => {} });
  return parseRpmQuery(stdout);
}

export interface KernelFiles { version: string; kernelPath: string; initrdPath: string }

/** Orders kernel versions like `sort -V` would for the usual N.N.N-N.distro strings. */
function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * The newest /boot/vmlinuz-VERSION (not a rescue kernel), with the initramfs path dracut uses.
 * Only names are read, and only when /boot is a directory inside the tree.
 */
export async function findKernelVersion(root: string): Promise<string | null> {
  const realRoot = await realpath(root);
  const boot = await realpath(join(root, 'boot')).catch(() => null);
  if (boot !== join(realRoot, 'boot')) return null;
  const versions = (await readdir(boot)).map((n) => /^vmlinuz-(.+)$/.exec(n)?.[1])
    .filter((v): v is string => !!v && !v.includes('rescue'));
  return versions.sort(compareVersions).at(-1) ?? null;
}

export function kernelFiles(version: string): KernelFiles {
  return { version, kernelPath: `/boot/vmlinuz-${version}`, initrdPath: `/boot/initramfs-${version}.img` };
}
