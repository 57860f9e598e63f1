/**
 * Makes the freshly bootstrapped tree a bootable, serial-console friendly VM: hostname, fstab by
 * UUID, DHCP on eth0, getty on ttyS0, fresh SSH host keys on first boot and the boot self-test unit.
 * Runs before any template content, so plain writes into the tree are safe here (no symlink
 * planted by a template command can redirect them to the host).
 */
import { mkdir, rm, symlink, writeFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SELFTEST_UNIT, fstabText } from '../../shared/system-identity.js';

export interface SystemConfig {
  hostname: string;
  rootFsUuid: string;
}

/** Host keys are removed from the image (finalize) so every instance makes its own. */
export const SSH_HOSTKEYS_UNIT = `[Unit]
Description=Generate SSH host keys on first boot
ConditionPathExistsGlob=!/etc/ssh/ssh_host_*_key
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
`;

export async function configureSystem(root: string, c: SystemConfig): Promise<void> {
  const put = async (path: string, text: string) => {
    const full = join(root, path);
    await mkdir(dirname(full), { recursive: true });
    await rm(full, { force: true });
    await writeFile(full, text, { mode: 0o644 });
  };
  const enable = async (wantedBy: string, unitName: string, unitPath: string) => {
    const link = join(root, 'etc/systemd/system', `${wantedBy}.wants`, unitName);
    await mkdir(dirname(link), { recursive: true });
    await rm(link, { force: true });
    await symlink(unitPath, link);
  };
  await put('etc/hostname', `${c.hostname}\n`);
  await put('etc/hosts', `127.0.0.1\tlocalhost\n127.0.1.1\t${c.hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
  await put('etc/fstab', fstabText(c.rootFsUuid));
  // net.ifnames=0 on the kernel command line makes the first NIC eth0 on every hypervisor.
  await put('etc/network/interfaces.d/eth0', 'allow-hotplug eth0\niface eth0 inet dhcp\n');
  await enable('getty.target', 'serial-getty@ttyS0.service', '/lib/systemd/system/serial-getty@.service');
  await put('etc/systemd/system/imagefactory-selftest.service', SELFTEST_UNIT);
  await enable('multi-user.target', 'imagefactory-selftest.service', '/etc/systemd/system/imagefactory-selftest.service');
  await put('etc/systemd/system/imagefactory-ssh-hostkeys.service', SSH_HOSTKEYS_UNIT);
  await enable('multi-user.target', 'imagefactory-ssh-hostkeys.service', '/etc/systemd/system/imagefactory-ssh-hostkeys.service');
  await removeSshHostKeys(root);
}

async function removeSshHostKeys(root: string): Promise<void> {
  const dir = join(root, 'etc/ssh');
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names) if (/^ssh_host_.*_key(\.pub)?$/.test(n)) await rm(join(dir, n), { force: true });
}
