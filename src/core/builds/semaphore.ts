import { AppError } from '../../domain/errors.js';

/** Counts free build slots; waiters are served in arrival order and leave when their signal aborts. */
export class Semaphore {
  private readonly waiters: { resolve: () => void; signal: AbortSignal; onAbort: () => void }[] = [];
  private inUse = 0;

  constructor(private readonly size: number) {}

  get full(): boolean {
    return this.inUse >= this.size;
  }

  async acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw new AppError('BUILD_CANCELLED');
    if (this.inUse < this.size) {
      this.inUse++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new AppError('BUILD_CANCELLED'));
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) {
        next.signal.removeEventListener('abort', next.onAbort);
        next.resolve(); // the slot passes straight to the next waiter
      } else {
        this.inUse--;
      }
    };
  }
}
