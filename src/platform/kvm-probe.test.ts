import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { probeKvm, kvmUsable } from './kvm-probe.js';

// On this machine /dev/kvm exists but is backed by kvm-pvm, where guests hang: the probe must find
// that out by trying, not by looking at the device node (shared/spec/toolchain.md, "facts first").
test('the KVM probe tries a guest; on a kvm-pvm host (device present, guests hang) it says false', async () => {
  const probed = await probeKvm();
  if (existsSync('/sys/module/kvm_pvm')) {
    assert.ok(existsSync('/dev/kvm'), 'the interesting case: the device exists');
    assert.equal(probed, false);
  }
  if (!existsSync('/dev/kvm')) assert.equal(probed, false);
  // The cached answer agrees with a fresh probe.
  assert.equal(await kvmUsable(), probed);
});
