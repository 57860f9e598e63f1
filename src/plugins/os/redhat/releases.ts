/**
 * The Red Hat family names a template may use (Oz's: Fedora + version, RHEL-N / CentOS-N /
 * ScientificLinux-N + update) and what this plugin needs to know about each: the dnf $releasever
 * and where the release keeps its rpm database. The host's rpm (Debian's 4.18) writes sqlite
 * databases only (Berkeley DB is read-only there), so releases whose rpm reads only Berkeley DB
 * (Fedora < 33, RHEL/CentOS/SL < 9) cannot be installed from this host: they are refused.
 */

export type Family = 'Fedora' | 'RHEL' | 'CentOS' | 'ScientificLinux';

export interface RedHatRelease {
  family: Family;
  major: number;
  /** dnf's $releasever. */
  releasever: string;
  /** The release's %_dbpath. */
  dbPath: string;
  title: string;
}

export type ReleaseLookup = { release: RedHatRelease } | { problem: string };

/** The names this plugin claims (TinMan's list plus later RHEL/CentOS majors). */
export const CLAIMED_NAMES = [
  'Fedora',
  ...[5, 6, 7, 8, 9, 10].map((n) => `RHEL-${n}`),
  ...[5, 6, 7, 8, 9, 10].map((n) => `CentOS-${n}`),
  ...[5, 6, 7].map((n) => `ScientificLinux-${n}`),
] as const;

const SUPPORTED = 'Fedora 33 and later, RHEL-9, RHEL-10, CentOS-9 and CentOS-10 (Stream)';

export function describeSupportedReleases(): string {
  return SUPPORTED;
}

export function resolveRelease(osName: string, osVersion: string): ReleaseLookup {
  const name = osName.trim();
  const version = osVersion.trim();
  if (/^fedora$/i.test(name)) {
    if (!/^\d+$/.test(version)) return { problem: `Fedora version must be a release number such as 40, got "${osVersion}"` };
    const major = Number(version);
    if (major < 33) return { problem: berkeleyDb(`Fedora ${major}`) };
    // Fedora 36 moved the rpm database to /usr/lib/sysimage/rpm.
    return { release: { family: 'Fedora', major, releasever: String(major), dbPath: major >= 36 ? '/usr/lib/sysimage/rpm' : '/var/lib/rpm', title: `Fedora Linux ${major}` } };
  }
  const m = /^(RHEL|CentOS|ScientificLinux)-(\d+)$/i.exec(name);
  if (!m) return { problem: `${osName} is not a Red Hat family name this plugin knows; supported: ${SUPPORTED}` };
  const family = (['RHEL', 'CentOS', 'ScientificLinux'] as const).find((f) => f.toLowerCase() === m[1].toLowerCase())!;
  const major = Number(m[2]);
  if (family === 'ScientificLinux' || major < 9) return { problem: berkeleyDb(`${family}-${major}`) };
  if (!/^[0-9A-Za-z.]*$/.test(version)) return { problem: `the version of ${osName} must be an update number such as 4, got "${osVersion}"` };
  // RHEL 10 moved the rpm database to /usr/lib/sysimage/rpm, as Fedora did.
  const dbPath = major >= 10 ? '/usr/lib/sysimage/rpm' : '/var/lib/rpm';
  const title = family === 'RHEL' ? `Red Hat Enterprise Linux ${major}` : `CentOS Stream ${major}`;
  return { release: { family, major, releasever: String(major), dbPath, title } };
}

function berkeleyDb(what: string): string {
  return `${what} keeps its rpm database in Berkeley DB, which this host's rpm can read but not write, so it `
    + `cannot be installed here; supported: ${SUPPORTED}`;
}
