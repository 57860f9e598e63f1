export interface BootTestRequest {
  diskPath: string;
  format: string;
  firmware: 'bios' | 'uefi';
  kvm: boolean;
  serialLogPath: string;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface BootTestResult {
  ok: boolean;
  marker: string | null;
  seconds: number;
}

/** Boots a disk under QEMU and watches its serial console for a login prompt. */
export type BootTester = (request: BootTestRequest) => Promise<BootTestResult>;
