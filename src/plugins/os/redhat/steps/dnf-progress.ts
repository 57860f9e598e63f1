/**
 * Reads dnf's own counters from its output when it is not on a terminal: one "(3/45): name.rpm"
 * line per downloaded package, then one "  Installing : name  3/45" line per transaction element
 * (and "Running scriptlet" / "Verifying" lines carrying the same N/total). Downloads take the first
 * 30% of a run, the transaction the rest (verification is its last tenth).
 */
export interface DnfProgress {
  fraction: number;
  activity: string;
}

const DOWNLOAD = 0.3;

export class DnfRunProgress {
  private best = 0;

  constructor(private readonly label: string) {}

  feed(line: string): DnfProgress | null {
    let m = /^\((\d+)\/(\d+)\): \S/.exec(line);
    if (m) return this.answer(DOWNLOAD * ratio(m), `${this.label}: downloading`);
    m = /^\s+(Installing|Upgrading|Reinstalling|Downgrading|Cleanup|Erasing|Obsoleting)\s*:.*\s(\d+)\/(\d+)\s*$/.exec(line);
    if (m) return this.answer(DOWNLOAD + 0.6 * ratio([m[0], m[2], m[3]]), `${this.label}: installing`);
    m = /^\s+Verifying\s*:.*\s(\d+)\/(\d+)\s*$/.exec(line);
    if (m) return this.answer(0.9 + 0.1 * ratio(m), `${this.label}: verifying`);
    return null;
  }

  private answer(f: number, activity: string): DnfProgress {
    this.best = Math.max(this.best, Math.round(f * 1e6) / 1e6);
    return { fraction: this.best, activity };
  }
}

function ratio(m: ArrayLike<string>): number {
  const total = Number(m[2]);
  return total > 0 ? Math.min(1, Number(m[1]) / total) : 0;
}
