/**
 * Turns the human output of apt-get/dpkg (and of `mmdebstrap --verbose`, which prints theirs) into a
 * fraction done. Only counts and byte sizes the tools print themselves are used: "N newly installed",
 * "Need to get X MB", one "Get:" line per downloaded archive with its size, one "Unpacking" and one
 * "Setting up" line per package. No timers, no guesses: a line we do not recognise moves nothing.
 */

export interface ToolProgress {
  /** 0..1, never lower than a previous answer of the same tracker. */
  fraction: number;
  activity: string;
}

const UNIT: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 };

/** apt prints sizes with SI units ("29.7 MB", "151 kB"). */
export function parseAptSize(text: string): number | null {
  const m = /^([\d.,]+)\s*(B|kB|MB|GB)$/.exec(text.trim());
  return m ? Number(m[1].replace(',', '.')) * UNIT[m[2]] : null;
}

/**
 * Shares of one apt-get install run: downloading, unpacking, configuring. Configuring (maintainer
 * scripts, the kernel's initramfs) is the slow part; downloads from a near mirror or the shared
 * .deb cache are quick.
 */
const DOWNLOAD = 0.1;
const UNPACK = 0.3;

/** Progress of one `apt-get install` run (or dpkg's unpack/configure of a known number of packages). */
export class AptRunProgress {
  private total = 0;
  private needBytes = 0;
  private gotBytes = 0;
  private unpacked = 0;
  private configured = 0;
  private best = 0;

  /** `total` when the caller already knows how many packages dpkg will handle (mmdebstrap's essential set). */
  constructor(private readonly label: string, total = 0) {
    this.total = total;
  }

  get packages(): number {
    return this.total;
  }

  feed(line: string): ToolProgress | null {
    const text = line.trim();
    let m: RegExpExecArray | null;
    let activity: string;
    if ((m = /^(\d+) upgraded, (\d+) newly installed/.exec(text))) {
      this.total = Number(m[1]) + Number(m[2]);
      activity = `${this.label}: ${this.total} packages`;
    } else if ((m = /^Need to get ([\d.,]+ (?:B|kB|MB|GB))(?:\/[\d.,]+ (?:B|kB|MB|GB))? of archives/.exec(text))) {
      this.needBytes = parseAptSize(m[1]) ?? 0;
      activity = `${this.label}: downloading`;
    } else if ((m = /^Get:\d+ .*\[([\d.,]+ (?:B|kB|MB|GB))\]$/.exec(text))) {
      this.gotBytes += parseAptSize(m[1]) ?? 0;
      activity = `${this.label}: downloading`;
    } else if (/^Unpacking \S+ /.test(text)) {
      this.unpacked++;
      activity = `${this.label}: unpacking`;
    } else if (/^Setting up \S+ /.test(text)) {
      this.configured++;
      activity = `${this.label}: configuring`;
    } else if (/^update-initramfs: Generating /.test(text)) {
      // A minute or more with no other output: say what is going on (the count does not move).
      activity = `${this.label}: generating the initramfs`;
    } else if (/^Processing triggers for /.test(text)) {
      activity = `${this.label}: processing triggers`;
    } else {
      return null;
    }
    return { fraction: this.fraction(), activity };
  }

  private fraction(): number {
    const download = this.needBytes > 0 ? Math.min(1, this.gotBytes / this.needBytes) : this.unpacked > 0 ? 1 : 0;
    const share = (n: number) => (this.total > 0 ? Math.min(1, n / this.total) : 0);
    // Rounded so that "all done" is exactly 1 (0.3 + 0.35 + 0.35 is not, in floating point).
    const f = Math.round(1e6 * (DOWNLOAD * download + UNPACK * share(this.unpacked) + (1 - DOWNLOAD - UNPACK) * share(this.configured))) / 1e6;
    this.best = Math.max(this.best, f);
    return this.best;
  }
}

/**
 * mmdebstrap's stages ("I: ..." lines, in this order) and the share of the bootstrap each one takes:
 * the essential set is downloaded first, then unpacked and configured by dpkg, then apt installs
 * the rest inside the chroot. Shares measured from the log timestamps of a real bookworm minbase +
 * kernel bootstrap through the daemon (310 s: update 3 s, download 3 s, extract 16 s, essential
 * 53 s, the rest 233 s of which ~130 s are two initramfs generations, final hooks 2 s).
 */
const STAGES: { match: RegExp; from: number; to: number; activity: string }[] = [
  { match: /^I: running apt-get update/, from: 0, to: 0.02, activity: 'Reading the package lists' },
  { match: /^I: downloading packages with apt/, from: 0.02, to: 0.03, activity: 'Downloading the essential packages' },
  { match: /^I: extracting archives/, from: 0.03, to: 0.08, activity: 'Extracting the essential packages' },
  { match: /^I: installing essential packages/, from: 0.08, to: 0.25, activity: 'Installing the essential packages' },
  { match: /^I: installing remaining packages inside the chroot/, from: 0.25, to: 0.99, activity: 'Installing packages' },
  // Not "running special hook" alone: the cache's sync-in hook runs before everything else.
  { match: /^I: (running special hook: sync-out|running --customize-hook|cleaning (apt cache|package lists)|success)/, from: 0.99, to: 1, activity: 'Finishing the bootstrap' },
];

/** Progress of a whole `mmdebstrap --verbose` run, from its stderr lines. */
export class MmdebstrapProgress {
  private stage = -1;
  private run: AptRunProgress | null = null;
  private essentialCount = 0;
  private best = 0;

  feed(line: string): ToolProgress | null {
    if (/^I: success in /.test(line)) {
      this.stage = STAGES.length - 1;
      return this.answer(1, STAGES[this.stage].activity);
    }
    const i = STAGES.findIndex((s, n) => n > this.stage && s.match.test(line));
    if (i >= 0) {
      if (this.stage === 1 && this.run) this.essentialCount = this.run.packages;
      this.stage = i;
      const s = STAGES[i];
      this.run = i === 1 || i === 4 ? new AptRunProgress(s.activity) : i === 3 ? new AptRunProgress(s.activity, this.essentialCount) : null;
      return this.answer(0, s.activity);
    }
    if (this.stage < 0 || !this.run) return null;
    const p = this.run.feed(line);
    if (!p) return null;
    // The download stage only downloads: its apt run's download share is the whole stage.
    const within = this.stage === 1 ? Math.min(1, p.fraction / DOWNLOAD) : this.stage === 3 ? (p.fraction - DOWNLOAD) / (1 - DOWNLOAD) : p.fraction;
    return this.answer(within, p.activity);
  }

  private answer(within: number, activity: string): ToolProgress {
    const s = STAGES[this.stage];
    this.best = Math.max(this.best, s.from + (s.to - s.from) * Math.max(0, Math.min(1, within)));
    return { fraction: this.best, activity };
  }
}
