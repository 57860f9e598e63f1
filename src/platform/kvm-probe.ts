/**
 * Finds out whether KVM really works by trying it: a device node is not enough (on nested "PVM"
 * hosts /dev/kvm exists but guests hang once they reach long mode). The probe boots OVMF plus a tiny
 * GRUB EFI program that prints a marker and halts; OVMF itself runs in 64-bit long mode with paging,
 * so a marker within a few seconds proves 64-bit guests run. The answer is cached in memory and in a
 * small file keyed by the kernel boot id, so test processes after the first pay nothing.
 */
import { access, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from './exec.js';

const MARKER = 'IMAGEFACTORY-KVM-PROBE-OK';
const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
/** A working KVM prints the marker in about a second; TCG needs ~4 s, so this is generous. */
const PROBE_TIMEOUT_MS = 12_000;

let cached: Promise<boolean> | null = null;

export function kvmUsable(): Promise<boolean> {
  cached ??= probeWithFileCache();
  return cached;
}

async function probeWithFileCache(): Promise<boolean> {
  const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => 'unknown')).trim();
  const cacheFile = join(tmpdir(), `imagefactory-kvm-probe-${bootId}.json`);
  try {
    const saved = JSON.parse(await readFile(cacheFile, 'utf8')) as { usable: unknown };
    if (typeof saved.usable === 'boolean') return saved.usable;
  } catch { /* not probed yet on this boot */ }
  const usable = await probeKvm();
  await writeFile(cacheFile, JSON.stringify({ usable, probedAt: new Date().toISOString() })).catch(() => {});
  return usable;
}

/** Runs the probe now (uncached). False when the device is absent or the guest shows nothing in time. */
export async function probeKvm(): Promise<boolean> {
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return false; // no device: nothing to try
  }
  const dir = await mkdtemp(join(tmpdir(), 'kvm-probe-'));
  try {
    await mkdir(join(dir, 'esp/EFI/BOOT'), { recursive: true });
    await writeFile(join(dir, 'probe.cfg'), `echo ${MARKER}\nhalt\n`);
    await runTool([
      'grub-mkstandalone', '-O', 'x86_64-efi', '-o', join(dir, 'esp/EFI/BOOT/BOOTX64.EFI'),
      '--modules=echo halt', '--install-modules=echo halt configfile normal',
      '--locales=', '--fonts=', '--themes=', `boot/grub/grub.cfg=${join(dir, 'probe.cfg')}`,
    ]);
    let seen = false;
    try {
      const { stdout } = await runTool([
        'qemu-system-x86_64', '-machine', 'q35,accel=kvm', '-m', '256', '-nodefaults', '-nographic',
        '-serial', 'stdio', '-monitor', 'none', '-display', 'none', '-no-reboot',
        '-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`,
        '-drive', `if=pflash,format=raw,file=${OVMF_VARS},snapshot=on`,
        '-drive', `format=raw,file=fat:${join(dir, 'esp')},if=virtio,snapshot=on`,
      ], { timeoutMs: PROBE_TIMEOUT_MS, onLine: (line) => { if (line.includes(MARKER)) seen = true; } });
      seen ||= stdout.includes(MARKER);
    } catch {
      // qemu refused kvm, crashed or timed out: KVM is not usable, whatever it printed.
      return false;
    }
    return seen;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
