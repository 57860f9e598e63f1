import { AppError } from '../../domain/errors.js';
import type { ImageRecord } from '../../domain/image.js';
import { isParameterOff } from '../../domain/image-parameters.js';
import type { ProgressSink } from './build-context-factory.js';
import type { BuildDeps } from './build-deps.js';
import type { BuildLog } from './build-log.js';

/** Where each boot milestone the serial console shows puts the base image (boot test: 86..96%). */
const BOOT_STEPS: Record<string, { percent: number; activity: string }> = {
  firmware: { percent: 87, activity: 'firmware started' },
  bootloader: { percent: 88, activity: 'bootloader started' },
  kernel: { percent: 90, activity: 'kernel booting' },
  init: { percent: 93, activity: 'systemd starting services' },
  login: { percent: 96, activity: 'login prompt reached' },
};

/**
 * Boots a finished raw base disk under QEMU unless config or the image's boot_test parameter turns
 * it off. Returns the `boot_test` property; a disk that never reaches a login prompt fails the build.
 */
export async function bootTestBaseImage(deps: BuildDeps, image: ImageRecord, diskPath: string, signal: AbortSignal, log: BuildLog, progress: ProgressSink): Promise<Record<string, unknown>> {
  if (!deps.settings.bootTest || isParameterOff(image.parameters, 'boot_test')) {
    return { skipped: true };
  }
  progress(86, 'Boot-testing the image under QEMU');
  const kvm = await deps.kvmUsable();
  const serialLogPath = deps.artifacts.artifactPath(image.id, 'serial.log');
  const boot = await deps.bootTester({
    diskPath, format: 'raw', firmware: 'bios', kvm, serialLogPath,
    timeoutMs: deps.settings.bootTestTimeoutMs, signal,
    onMilestone: (m) => {
      const step = BOOT_STEPS[m];
      if (step) progress(step.percent, `Boot-testing the image under QEMU: ${step.activity}`);
    },
  });
  log.line(`Boot test ${boot.ok ? 'passed' : 'FAILED'} after ${Math.round(boot.seconds)} s (${boot.marker ?? 'no marker'})`);
  if (!boot.ok) {
    throw new AppError('BUILD_FAILED', `Boot test failed: the image did not reach a login prompt within ${Math.round(deps.settings.bootTestTimeoutMs / 1000)} s under ${kvm ? 'KVM' : 'TCG'} (the serial console log is kept with the image)`);
  }
  return { ok: boot.ok, marker: boot.marker, seconds: Math.round(boot.seconds), accelerator: kvm ? 'kvm' : 'tcg', serial_log: 'serial.log' };
}
