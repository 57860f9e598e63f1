import { formatBytes } from '../../../domain/format-bytes.js';

/**
 * Turns bytes sent into `percent_complete`: real progress from what actually went over the wire,
 * mapped into [from, to] of the push and reported at most once per whole percent.
 */
export class ByteProgress {
  private sent = 0;
  private lastPercent = -1;

  constructor(
    private readonly total: number,
    private readonly report: (percent: number, activity: string) => void,
    private readonly activity: string,
    private readonly range: { from: number; to: number } = { from: 5, to: 95 },
  ) {}

  /** Bytes already on the provider from an earlier attempt count as sent. */
  add(bytes: number): void {
    this.sent += bytes;
    const fraction = this.total > 0 ? Math.min(1, this.sent / this.total) : 1;
    const percent = Math.floor(this.range.from + fraction * (this.range.to - this.range.from));
    if (percent > this.lastPercent) {
      this.lastPercent = percent;
      this.report(percent, `${this.activity}: ${formatBytes(this.sent)} of ${formatBytes(this.total)}`);
    }
  }

  get bytesSent(): number {
    return this.sent;
  }
}

