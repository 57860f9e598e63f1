/**
 * Makes the installed tree a VM: hostname, fstab with / by UUID, the boot self-test unit, the
 * host's resolv.conf for the template's commands (removed again by finalize), and an SELinux
 * relabel on first boot (files written outside anaconda carry no labels). Runs before any template
 * content, so writes into the tree cannot be redirected by a symlink a template command planted;
 * existing symlinks from packages (resolv.conf → systemd-resolved) are never followed.
 */
import { copyFile, lstat, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SELFTEST_UNIT, fstabText } from '../../shared/system-identity.js';

export interface SystemConfig { hostname: string; rootFsUuid: string }

export interface ConfigureResult {
  /** The build put the host's resolv.conf into the image; finalize removes it. */
  addedResolvConf: boolean;
  selinuxRelabel: boolean;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false);
}

export async function configureSystem(root: string, c: SystemConfig): Promise<ConfigureResult> {
  const put = async (path: string, text: string) => {
    const full = join(root, path);
    await mkdir(dirname(full), { recursive: true });
    await rm(full, { force: true });
    await writeFile(full, text, { mode: 0o644 });
  };
  await put('etc/hostname', `${c.hostname}\n`);
  await put('etc/fstab', fstabText(c.rootFsUuid));
  await put('etc/systemd/system/imagefactory-selftest.service', SELFTEST_UNIT);
  const wants = join(root, 'etc/systemd/system/multi-user.target.wants');
  await mkdir(wants, { recursive: true });
  await rm(join(wants, 'imagefactory-selftest.service'), { force: true });
  await symlink('/etc/systemd/system/imagefactory-selftest.service', join(wants, 'imagefactory-selftest.service'));

  const resolv = join(root, 'etc/resolv.conf');
  const addedResolvConf = !(await exists(resolv)) && (await exists('/etc/resolv.conf'));
  if (addedResolvConf) await copyFile('/etc/resolv.conf', resolv);
  const selinuxRelabel = await exists(join(root, 'etc/selinux/config'));
  if (selinuxRelabel) await put('.autorelabel', '');
  return { addedResolvConf, selinuxRelabel };
}
