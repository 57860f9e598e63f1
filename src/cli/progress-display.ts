/**
 * How the CLI shows what is going on, on stderr (stdout keeps the results):
 *  - bar:   a terminal (stderr is a TTY): a cli-progress bar with a spinner and the current
 *           activity for builds; bytes, rate and ETA for uploads and downloads;
 *  - plain: a pipe or a log file: one line per change ("[ 41%] BUILDING: activity"), transfers
 *           every 10%;
 *  - json:  one JSON object per line for scripts ({"event": "build" | "transfer" | "note", ...});
 *  - none:  nothing but errors (--quiet).
 */
import cliProgress from 'cli-progress';
import { formatBytes } from '../domain/format-bytes.js';

export type ProgressMode = 'auto' | 'bar' | 'plain' | 'json' | 'none';

export interface BuildState {
  id: string;
  kind: string;
  status: string;
  percent: number;
  activity: string;
}

export interface Display {
  /** A build's (or deletion's) current state, each poll. */
  build(state: BuildState): void;
  /** Bytes of an upload or download so far; `total` null when unknown. */
  transfer(label: string, done: number, total: number | null): void;
  /** An informational line (not a result). */
  note(text: string): void;
  /** Ends any bar (leaves its last state on screen). */
  finish(): void;
}

export interface DisplayStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function resolveMode(mode: ProgressMode, stream: DisplayStream): Exclude<ProgressMode, 'auto'> {
  if (mode !== 'auto') return mode;
  return stream.isTTY ? 'bar' : 'plain';
}

export function createDisplay(mode: ProgressMode, stream: DisplayStream, clock: () => number = Date.now): Display {
  switch (resolveMode(mode, stream)) {
    case 'bar': return new BarDisplay(stream as NodeJS.WritableStream & DisplayStream, clock);
    case 'json': return new JsonDisplay(stream, clock);
    case 'none': return { build() {}, transfer() {}, note() {}, finish() {} };
    default: return new PlainDisplay(stream, clock);
  }
}


export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Rate and ETA of a transfer from its start. */
class TransferClock {
  private readonly started: number;
  constructor(private readonly clock: () => number) { this.started = clock(); }
  rate(done: number): number {
    const s = (this.clock() - this.started) / 1000;
    return s > 0 ? done / s : 0;
  }
  eta(done: number, total: number | null): number | null {
    const r = this.rate(done);
    return total !== null && r > 0 ? (total - done) / r : null;
  }
}

function transferText(label: string, done: number, total: number | null, rate: number, eta: number | null): string {
  const pct = total ? `${Math.floor((done / total) * 100)}% ` : '';
  const of = total !== null ? `${formatBytes(done)} of ${formatBytes(total)}` : formatBytes(done);
  return `${label}: ${pct}(${of}, ${formatBytes(rate)}/s${eta !== null ? `, ETA ${formatDuration(eta)}` : ''})`;
}

class PlainDisplay implements Display {
  private shown = '';
  private transfers = new Map<string, { clock: TransferClock; step: number }>();
  constructor(private readonly out: DisplayStream, private readonly clock: () => number) {}

  build(s: BuildState): void {
    const line = `[${String(Math.round(s.percent)).padStart(3)}%] ${s.status}: ${s.activity}`;
    if (line === this.shown) return;
    this.shown = line;
    this.out.write(`${line}\n`);
  }

  transfer(label: string, done: number, total: number | null): void {
    let t = this.transfers.get(label);
    if (!t) { t = { clock: new TransferClock(this.clock), step: -1 }; this.transfers.set(label, t); }
    // Every 10% (or every 64 MiB when the size is unknown), and once at the end.
    const step = total ? Math.floor((done / total) * 10) : Math.floor(done / (64 * 1024 * 1024));
    if (step <= t.step) return;
    t.step = step;
    this.out.write(`${transferText(label, done, total, t.clock.rate(done), t.clock.eta(done, total))}\n`);
  }

  note(text: string): void { this.out.write(`${text}\n`); }
  finish(): void {}
}

class JsonDisplay implements Display {
  private shown = '';
  private transfers = new Map<string, { clock: TransferClock; percent: number }>();
  constructor(private readonly out: DisplayStream, private readonly clock: () => number) {}

  private emit(event: Record<string, unknown>): void {
    this.out.write(`${JSON.stringify({ ...event, time: new Date(this.clock()).toISOString() })}\n`);
  }

  build(s: BuildState): void {
    const key = `${s.status}|${Math.round(s.percent)}|${s.activity}`;
    if (key === this.shown) return;
    this.shown = key;
    this.emit({ event: 'build', id: s.id, type: s.kind, status: s.status, percent_complete: s.percent, activity: s.activity });
  }

  transfer(label: string, done: number, total: number | null): void {
    let t = this.transfers.get(label);
    if (!t) { t = { clock: new TransferClock(this.clock), percent: -1 }; this.transfers.set(label, t); }
    const percent = total ? Math.floor((done / total) * 100) : Math.floor(done / (1024 * 1024));
    if (percent <= t.percent) return;
    t.percent = percent;
    const eta = t.clock.eta(done, total);
    this.emit({ event: 'transfer', label, bytes: done, total, bytes_per_second: Math.round(t.clock.rate(done)), eta_seconds: eta === null ? null : Math.round(eta) });
  }

  note(text: string): void { this.emit({ event: 'note', text }); }
  finish(): void {}
}

class BarDisplay implements Display {
  private bar: InstanceType<typeof cliProgress.SingleBar> | null = null;
  private kind: 'build' | 'transfer' | null = null;
  private spin = 0;
  private timer: NodeJS.Timeout | null = null;
  private transferClock: TransferClock | null = null;

  constructor(private readonly out: NodeJS.WritableStream & DisplayStream, private readonly clock: () => number) {}

  private open(kind: 'build' | 'transfer', total: number, payload: Record<string, unknown>): void {
    if (this.kind === kind && this.bar) return;
    this.finish();
    this.kind = kind;
    this.bar = new cliProgress.SingleBar({
      stream: this.out,
      format: kind === 'build'
        ? '{spinner} [{bar}] {percentage}% | {status}: {activity}'
        : '{spinner} {label} [{bar}] {percentage}% | {done} of {size} | {rate}/s | ETA {remaining}',
      barCompleteChar: '█', barIncompleteChar: '░', barsize: 30, hideCursor: true, fps: 10, linewrap: false,
    });
    this.bar.start(total, 0, { spinner: SPINNER[0], ...payload });
    // The spinner turns while the build runs, also between polls: the CLI is alive.
    this.timer = setInterval(() => {
      this.spin = (this.spin + 1) % SPINNER.length;
      this.bar?.update({ spinner: SPINNER[this.spin] });
    }, 100);
    this.timer.unref();
  }

  build(s: BuildState): void {
    this.open('build', 100, { status: s.status, activity: s.activity });
    this.bar!.update(Math.round(s.percent), { status: s.status, activity: s.activity });
  }

  transfer(label: string, done: number, total: number | null): void {
    if (this.kind !== 'transfer') this.transferClock = new TransferClock(this.clock);
    this.open('transfer', total ?? 0, { label, done: formatBytes(0), size: total !== null ? formatBytes(total) : '?', rate: formatBytes(0), remaining: '?' });
    const eta = this.transferClock!.eta(done, total);
    this.bar!.update(done, { label, done: formatBytes(done), rate: formatBytes(this.transferClock!.rate(done)), remaining: eta === null ? '?' : formatDuration(eta) });
  }

  note(text: string): void {
    // A line above the bar: stop it, print, and let the next update draw a fresh one.
    this.finish();
    this.out.write(`${text}\n`);
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.bar) this.bar.stop();
    this.bar = null;
    this.kind = null;
  }
}
