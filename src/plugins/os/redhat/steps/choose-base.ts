/**
 * What to install before the template's packages. A distribution repository offers the "core"
 * comps group (Oz's kickstarts install @core) and a kernel; with both, the image becomes a bootable
 * system. A repository without them (a private or test repository) gets only what the template
 * asks for, and the image says it cannot boot instead of failing at the boot test.
 */
import { dnfBaseArgv, type DnfPaths } from './dnf-config.js';
import { runDnf, type DnfEnvironment } from './dnf-run.js';
import type { RedHatRelease } from '../releases.js';

export interface BaseSelection {
  specs: string[];
  coreGroup: boolean;
  kernel: boolean;
}

/** Packages that make a kernel bootable by this plugin's GRUB: dracut builds the initramfs. */
const KERNEL_PACKAGES = ['kernel', 'dracut'] as const;

export function baseSpecs(coreGroup: boolean, available: readonly string[]): BaseSelection {
  const kernel = available.includes('kernel');
  const specs = [
    ...(coreGroup ? ['@core'] : []),
    ...(kernel ? KERNEL_PACKAGES.filter((p) => available.includes(p)) : []),
  ];
  return { specs, coreGroup, kernel };
}

export async function chooseBase(env: DnfEnvironment, paths: DnfPaths, release: RedHatRelease): Promise<BaseSelection> {
  const base = dnfBaseArgv(paths, release);
  // The first dnf run also fetches the metadata: an unreachable repository fails here, by URL.
  const names = await runDnf(env, [...base, 'repoquery', '--available', '--qf', '%{name}', '--', ...KERNEL_PACKAGES],
    'reading the repositories');
  const group = await runDnf(env, [...base, 'group', 'info', 'core'], 'reading the repositories');
  return baseSpecs(group.some((l) => /^Group: /.test(l)), names.map((l) => l.trim()));
}
