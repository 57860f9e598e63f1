import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../domain/errors.js';
import { readFile } from 'node:fs/promises';
import { bootMilestonesIn, bootTest, findBootMarker, qemuBootArgv } from './boot-test.js';

// The real boot of a built disk is in test/debian-base-image.test.ts (it needs the shared fixture).

test('finds the self-test marker or a login prompt in a serial log, escapes stripped', () => {
  assert.equal(findBootMarker('SeaBIOS\r\nBooting...\r\n'), null);
  assert.equal(findBootMarker('x\r\n\x1b[0mdebian login: '), 'debian login:');
  assert.equal(findBootMarker('..SELFTEST-MARKER-OK kernel=6.1.0-50-amd64 units_failed=0\r\nfoo login:'),
    'SELFTEST-MARKER-OK kernel=6.1.0-50-amd64 units_failed=0');
});

test('boot milestones in real serial logs of the Debian fixture (SeaBIOS and OVMF), in order, also part-way', async () => {
  for (const firmware of ['bios', 'uefi']) {
    const log = await readFile(new URL(`../../test/fixtures/tool-output/serial-bookworm-${firmware}.txt`, import.meta.url), 'latin1');
    assert.deepEqual(bootMilestonesIn(log), ['firmware', 'bootloader', 'kernel', 'init', 'login'], firmware);
    const kernelStarted = log.slice(0, log.indexOf('Linux version') + 20);
    assert.deepEqual(bootMilestonesIn(kernelStarted), ['firmware', 'bootloader', 'kernel'], firmware);
    assert.deepEqual(bootMilestonesIn(log.slice(0, log.indexOf('systemd[1]'))), ['firmware', 'bootloader', 'kernel'], firmware);
  }
  assert.deepEqual(bootMilestonesIn(''), []);
});

test('qemu argv: tcg unless kvm, snapshot disk, serial to file, OVMF for uefi, selftest OEM string', () => {
  const base = { diskPath: '/d.qcow2', format: 'qcow2' as const, serialLogPath: '/s.log', timeoutMs: 1000 };
  const bios = qemuBootArgv({ ...base, firmware: 'bios', kvm: false }, '/m.sock');
  assert.ok(bios.includes('q35,accel=tcg'));
  assert.ok(bios.includes('file=/d.qcow2,format=qcow2,if=virtio,snapshot=on'));
  assert.ok(bios.includes('file:/s.log'));
  assert.ok(!bios.some((a) => a.includes('pflash')));
  assert.ok(!bios.includes('-kernel'), 'boots through the disk bootloader');
  assert.ok(bios.includes('type=11,value=imagefactory.selftest'));
  const uefi = qemuBootArgv({ ...base, firmware: 'uefi', kvm: true, selftest: false }, '/m.sock');
  assert.ok(uefi.includes('q35,accel=kvm'));
  assert.ok(uefi.some((a) => a.includes('OVMF_CODE_4M.fd')));
  assert.ok(!uefi.includes('-smbios'));
});

test('a disk qemu cannot open fails with qemu\'s own message', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'boot-test-'));
  try {
    await assert.rejects(bootTest({
      diskPath: join(dir, 'missing.raw'), format: 'raw', firmware: 'bios', kvm: false,
      serialLogPath: join(dir, 'serial.log'), timeoutMs: 20_000,
    }), (e: unknown) => e instanceof AppError && /missing\.raw/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
