/**
 * TDL disk sizes (spec tdl.md §3, Oz TDL._parse_disksize): schema pattern
 * `([0-9]*) *([kKmMgGtTpPeEzZyY]?[iI]?[bB]?)`, then
 *   no suffix            → GiB (backwards compatible with integer-GB templates)
 *   G / T                → GiB / TiB (an earlier suffix attempt, kept for compatibility)
 *   B                    → bytes
 *   KB MB GB TB PB EB ZB YB     → decimal (10^3 … 10^24)
 *   KiB MiB GiB TiB PiB EiB ZiB YiB → binary (2^10 … 2^80)
 * Case-insensitive, spaces between number and unit ignored. Any other suffix the pattern lets
 * through (K, M, Gi, iB, ...) is rejected, as Oz does.
 */

export type DiskSizeResult =
  | { ok: true; bytes: number }
  | { ok: false; kind: 'schema' | 'semantic'; reason: string };

const PATTERN = /^([0-9]*) *([kKmMgGtTpPeEzZyY]?[iI]?[bB]?)$/;
const PREFIXES = ['k', 'm', 'g', 't', 'p', 'e', 'z', 'y'];

const UNITS: ReadonlyMap<string, bigint> = (() => {
  const m = new Map<string, bigint>([
    ['', 1n << 30n],
    ['b', 1n],
    ['g', 1n << 30n],
    ['t', 1n << 40n],
  ]);
  PREFIXES.forEach((p, i) => {
    m.set(`${p}b`, 10n ** BigInt(3 * (i + 1)));
    m.set(`${p}ib`, 1n << BigInt(10 * (i + 1)));
  });
  return m;
})();

const HINT = "it must be an integer with an optional SI or IEC unit, e.g. '10', '10G', '16GiB' or '20GB'";

/**
 * Smallest disk every OS plugin can lay out (plugins/os/shared/disk-layout.ts): 1 MiB alignment,
 * 1 MiB BIOS boot, 128 MiB EFI, a 64 MiB root and the backup GPT, in whole MiB. Checked here so a
 * too-small disk is a 400 at POST rather than a build that fails later.
 */
export const MIN_DISK_BYTES = 195 * 2 ** 20;

/** Parses a trimmed `<disk><size>` value into bytes, at least MIN_DISK_BYTES. */
export function parseDiskSize(text: string): DiskSizeResult {
  const r = diskSizeInBytes(text);
  if (r.ok && r.bytes < MIN_DISK_BYTES) {
    return { ok: false, kind: 'semantic', reason: `element "size": disk size "${text}" is too small; the minimum is 195MiB (204472320 bytes) for the boot, EFI and root partitions` };
  }
  return r;
}

/** The unit arithmetic alone: a size value into bytes, without the minimum. */
export function diskSizeInBytes(text: string): DiskSizeResult {
  const m = PATTERN.exec(text);
  if (!m) return { ok: false, kind: 'schema', reason: `element "size": invalid disk size "${text}"; ${HINT}` };
  const [, digits, suffix] = m as unknown as [string, string, string];
  const factor = UNITS.get(suffix.toLowerCase());
  if (digits === '' || factor === undefined) {
    return { ok: false, kind: 'semantic', reason: `element "size": invalid disk size "${text}"; ${HINT}` };
  }
  const bytes = BigInt(digits) * factor;
  if (bytes === 0n) return { ok: false, kind: 'semantic', reason: `element "size": disk size must be greater than zero` };
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, kind: 'semantic', reason: `element "size": disk size "${text}" is too large` };
  }
  return { ok: true, bytes: Number(bytes) };
}
