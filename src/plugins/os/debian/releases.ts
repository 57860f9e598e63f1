/** The Debian and Ubuntu releases this plugin installs, and what differs between the two families. */

export type Distro = 'Debian' | 'Ubuntu';

export interface DebianRelease {
  distro: Distro;
  codename: string;
  /** Numeric version as written in templates ("12", "22.04"); null for rolling suites. */
  number: string | null;
  /** Archive components to enable. Ubuntu needs universe for ifupdown/isc-dhcp-client. */
  components: string[];
  kernelPackage: string;
  /** Host keyring that verifies this archive (mmdebstrap --keyring). */
  keyring: string;
}

const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
const UBUNTU_KEYRING = '/usr/share/keyrings/ubuntu-archive-keyring.gpg';

const debian = (codename: string, number: string | null): DebianRelease => ({
  distro: 'Debian', codename, number, components: ['main'], kernelPackage: 'linux-image-amd64', keyring: DEBIAN_KEYRING,
});
const ubuntu = (codename: string, number: string): DebianRelease => ({
  distro: 'Ubuntu', codename, number, components: ['main', 'universe'], kernelPackage: 'linux-image-virtual', keyring: UBUNTU_KEYRING,
});

export const RELEASES: readonly DebianRelease[] = [
  debian('bullseye', '11'),
  debian('bookworm', '12'),
  debian('trixie', '13'),
  debian('sid', null),
  ubuntu('focal', '20.04'),
  ubuntu('jammy', '22.04'),
  ubuntu('noble', '24.04'),
];

/** Packages every image gets so it boots on a serial console and gets an address by DHCP. */
export const BOOT_PACKAGES = [
  'systemd-sysv', 'udev', 'kmod', 'initramfs-tools', 'e2fsprogs',
  'ifupdown', 'isc-dhcp-client', 'iproute2', 'openssh-server', 'ca-certificates',
] as const;

/**
 * Finds a release from a TDL os name and version. The version may be the codename ("bookworm"),
 * the number ("12", "22.04"), or for Debian a point release ("12.5"); "unstable" means sid.
 */
export function resolveRelease(osName: string, osVersion: string): DebianRelease | null {
  const distro = RELEASES.find((r) => r.distro.toLowerCase() === osName.trim().toLowerCase())?.distro;
  if (!distro) return null;
  let v = osVersion.trim().toLowerCase();
  if (distro === 'Debian') {
    if (v === 'unstable') v = 'sid';
    v = v.replace(/^(\d+)\.\d+$/, '$1');
  }
  return RELEASES.find((r) => r.distro === distro && (r.codename === v || r.number === v)) ?? null;
}

export function describeSupportedReleases(): string {
  return RELEASES.map((r) => `${r.distro} ${r.number ? `${r.number} (${r.codename})` : r.codename}`).join(', ');
}
