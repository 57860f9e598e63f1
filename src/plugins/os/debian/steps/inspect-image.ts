/** Read-only facts about the finished tree: installed packages (for the ICICLE) and the kernel. */
import type { Exec } from '../../../sdk/exec.js';
import type { InstalledPackage } from '../../../../domain/template/tdl.js';
import type { ChrootSession } from '../../shared/chroot-session.js';
import { join } from 'node:path';
import { AppError } from '../../../../domain/errors.js';

export function parseDpkgQuery(stdout: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const line of stdout.split('\n')) {
    const [status, name, version, arch] = line.split('\t');
    if (status === 'install ok installed' && name) out.push({ name, version, arch });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Uses the host's dpkg-query on the image's database: nothing of the image is executed. */
export async function listPackages(exec: Exec, root: string): Promise<InstalledPackage[]> {
  const { stdout } = await exec([
    'dpkg-query', `--admindir=${join(root, 'var/lib/dpkg')}`, '-W',
    '-f=${Status}\t${Package}\t${Version}\t${Architecture}\n',
  ], { onLine: () => {} });
  return parseDpkgQuery(stdout);
}

export interface KernelPaths { version: string; kernelPath: string; initrdPath: string }

/**
 * Finds the kernel the boot entry should use: Debian's /vmlinuz and /initrd.img symlinks (Ubuntu
 * keeps them in /boot), resolved inside the image to learn the version.
 */
export async function findKernel(s: ChrootSession): Promise<KernelPaths> {
  for (const dir of ['', '/boot']) {
    try {
      const { stdout } = await s.run(['readlink', '-e', `${dir}/vmlinuz`, `${dir}/initrd.img`], { onLine: () => {} });
      const [kernel] = stdout.trim().split('\n');
      const version = /vmlinuz-(.+)$/.exec(kernel)?.[1];
      if (version) return { version, kernelPath: `${dir}/vmlinuz`, initrdPath: `${dir}/initrd.img` };
    } catch { /* try the next location */ }
  }
  throw new AppError('BUILD_FAILED', 'no kernel found in the image: /vmlinuz and /boot/vmlinuz (with their initrd.img) are missing');
}
