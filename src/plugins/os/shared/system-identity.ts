/**
 * What every image gets regardless of distribution: a host name from the template name, / by
 * UUID in fstab, and the boot self-test unit the core's boot test looks for on the serial console.
 */

/** The boot self-test (toolchain.md §4): runs only when the kernel command line asks for it. */
export const SELFTEST_UNIT = `[Unit]
Description=Image Factory boot self-test
ConditionKernelCommandLine=imagefactory.selftest
After=multi-user.target

[Service]
Type=oneshot
StandardOutput=tty
TTYPath=/dev/ttyS0
ExecStart=/bin/sh -c 'echo "SELFTEST-MARKER-OK kernel=$(uname -r) units_failed=$(systemctl --failed --no-legend | wc -l)"'
ExecStartPost=/bin/systemctl poweroff --no-block

[Install]
WantedBy=multi-user.target
`;

/** Turns a template name into a valid host name (RFC 1123 label). */
export function hostnameFor(name: string, fallback: string): string {
  const label = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return label || fallback;
}

export function fstabText(rootFsUuid: string): string {
  return `# <file system> <mount point> <type> <options> <dump> <pass>\nUUID=${rootFsUuid} / ext4 errors=remount-ro 0 1\n`;
}
