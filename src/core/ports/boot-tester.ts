export interface BootTestRequest {
  diskPath: string;
  format: string;
  firmware: 'bios' | 'uefi';
  kvm: boolean;
  serialLogPath: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Boot milestones as the serial console shows them: firmware, bootloader, kernel, init, login. */
  onMilestone?: (milestone: string) => void;
}

export interface BootTestResult {
  ok: boolean;
  marker: string | null;
  seconds: number;
}

/** Boots a disk under QEMU and watches its serial console for a login prompt. */
export type BootTester = (request: BootTestRequest) => Promise<BootTestResult>;
