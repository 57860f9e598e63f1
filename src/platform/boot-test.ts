/**
 * Boots a disk image under QEMU through its own bootloader (never -kernel, so a pass proves the
 * disk boots) and watches the serial console for a login prompt or the self-test marker.
 * The disk is opened with snapshot=on: the boot test never modifies the image.
 */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../domain/errors.js';
import type { Exec } from '../plugins/sdk/exec.js';
import { runTool } from './exec.js';

export type BootDiskFormat = 'raw' | 'qcow2' | 'vmdk' | 'vpc' | 'vhdx' | 'vdi';

export interface BootTestOptions {
  diskPath: string;
  format: BootDiskFormat;
  firmware: 'bios' | 'uefi';
  /** Use accel=kvm; pass the answer of kvmUsable(), never a guess. */
  kvm: boolean;
  serialLogPath: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Runs qemu; defaults to runTool bound to `signal`. */
  exec?: Exec;
  /**
   * Ask the image's bootloader to add `imagefactory.selftest` to the kernel command line (passed as
   * an SMBIOS OEM string; images built by the Debian plugin honour it). The guest then prints
   * SELFTEST-MARKER-OK and powers off. Default true.
   */
  selftest?: boolean;
  /** Called once per milestone the serial console shows, in boot order (see BOOT_MILESTONES). */
  onMilestone?: (milestone: BootMilestone) => void;
}

export interface BootTestResult {
  ok: boolean;
  /** The serial console line that proved the boot (the marker or the login prompt), or null. */
  marker: string | null;
  seconds: number;
}

const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
const POLL_MS = 500;
const SUCCESS = [/SELFTEST-MARKER-OK[^\r\n]*/, /[^\r\n]*login:/];

export type BootMilestone = 'firmware' | 'bootloader' | 'kernel' | 'init' | 'login';

/**
 * What the serial console of a booting image prints at each stage, in order: SeaBIOS or OVMF,
 * GRUB, the kernel's first line, systemd, then a login prompt or the self-test marker.
 */
export const BOOT_MILESTONES: readonly { milestone: BootMilestone; pattern: RegExp }[] = [
  { milestone: 'firmware', pattern: /SeaBIOS \(version|BdsDxe:|UEFI firmware/ },
  { milestone: 'bootloader', pattern: /GNU GRUB|Booting `|Loading Linux |Welcome to GRUB/ },
  { milestone: 'kernel', pattern: /Linux version \d/ },
  { milestone: 'init', pattern: /systemd\[1\]:|Welcome to [^\r\n]*(Debian|Ubuntu|Linux)/ },
  { milestone: 'login', pattern: /SELFTEST-MARKER-OK|login:/ },
];

/** The milestones a serial log shows, in boot order (a later one implies the earlier ones). */
export function bootMilestonesIn(serialLog: string): BootMilestone[] {
  let last = -1;
  BOOT_MILESTONES.forEach((m, i) => { if (m.pattern.test(serialLog)) last = i; });
  return BOOT_MILESTONES.slice(0, last + 1).map((m) => m.milestone);
}

/** Finds the line that proves the boot in a serial log, or null. */
export function findBootMarker(serialLog: string): string | null {
  for (const re of SUCCESS) {
    const m = re.exec(serialLog);
    if (m) return m[0].replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').trim();
  }
  return null;
}

export function qemuBootArgv(o: BootTestOptions, monitorSocket: string): string[] {
  const argv = [
    'qemu-system-x86_64',
    '-machine', `q35,accel=${o.kvm ? 'kvm' : 'tcg'}`,
    '-m', '1024', '-smp', '2',
    '-nodefaults', '-nographic', '-display', 'none', '-no-reboot',
    '-serial', `file:${o.serialLogPath}`,
    '-monitor', `unix:${monitorSocket},server=on,wait=off`,
    '-drive', `file=${o.diskPath},format=${o.format},if=virtio,snapshot=on`,
    '-nic', 'user,model=virtio-net-pci,restrict=on',
  ];
  if (o.firmware === 'uefi') {
    argv.push(
      '-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`,
      '-drive', `if=pflash,format=raw,file=${OVMF_VARS},snapshot=on`,
    );
  }
  if (o.selftest ?? true) argv.push('-smbios', 'type=11,value=imagefactory.selftest');
  return argv;
}

export async function bootTest(o: BootTestOptions): Promise<BootTestResult> {
  const started = Date.now();
  const exec: Exec = o.exec ?? ((argv, opts) => runTool(argv, opts, o.signal));
  const dir = await mkdtemp(join(tmpdir(), 'boot-test-'));
  const monitorSocket = join(dir, 'monitor.sock');
  await writeFile(o.serialLogPath, '');

  let exited = false;
  let exitError: unknown = null;
  const qemu = exec(qemuBootArgv(o, monitorSocket), { timeoutMs: o.timeoutMs + 30_000 })
    .catch((e) => { exitError = e; })
    .finally(() => { exited = true; });

  let marker: string | null = null;
  let logBytes = 0;
  let milestones = 0;
  const noteMilestones = (text: string) => {
    if (!o.onMilestone) return;
    const seen = bootMilestonesIn(text);
    while (milestones < seen.length) o.onMilestone(seen[milestones++]);
  };
  try {
    const log = await open(o.serialLogPath, 'r');
    try {
      let text = '';
      let offset = 0;
      const deadline = started + o.timeoutMs;
      for (;;) {
        const buf = Buffer.alloc(64 * 1024);
        const { bytesRead } = await log.read(buf, 0, buf.length, offset);
        if (bytesRead > 0) {
          offset += bytesRead;
          logBytes = offset;
          // Keep only a tail: a marker line is short, the log may be long.
          text = (text + buf.subarray(0, bytesRead).toString('latin1')).slice(-16_384);
          noteMilestones(text);
          marker = findBootMarker(text);
          if (marker) break;
          continue;
        }
        if (exited || Date.now() > deadline || o.signal?.aborted) break;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    } finally {
      await log.close();
    }
  } finally {
    if (!exited) await quitQemu(monitorSocket);
    await qemu;
    await rm(dir, { recursive: true, force: true });
  }
  if (o.signal?.aborted) throw new AppError('BUILD_CANCELLED', 'boot test cancelled');
  // qemu failing before the guest printed anything (bad disk path, format, missing firmware) is a
  // tool error with qemu's own message, not a failed boot.
  if (!marker && exitError && logBytes === 0) throw exitError;
  return { ok: marker !== null, marker, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

/** Asks qemu to quit over its monitor socket; the exec's own timeout is the backstop. */
function quitQemu(socketPath: string): Promise<void> {
  return new Promise((resolve) => {
    const sock = connect(socketPath);
    const timer = setTimeout(() => finish(), 5000);
    const finish = () => { clearTimeout(timer); sock.destroy(); resolve(); };
    // Resolve once the command is written; waiting for qemu itself is the caller's `await qemu`.
    sock.on('connect', () => sock.end('quit\n', finish));
    sock.on('error', finish);
  });
}
