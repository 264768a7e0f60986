export interface SlotLimits {
  /** Runs at once. */
  maxConcurrent: number;
  /** Further ones that may wait for a free slot; beyond that they are refused at once. */
  maxQueued: number;
  /** How long one may wait for a slot before it is refused. */
  maxWaitMs: number;
}

/** What `run` answers when no slot came free in time: the caller reports TOO_MANY_REQUESTS. */
export const BUSY: unique symbol = Symbol('no slot free');
export type Busy = typeof BUSY;

/** Weight of the latest run in the average run time: about the last ten runs count. */
const RECENT = 0.1;

/**
 * A bounded number of runs in flight, per process: work beyond `maxConcurrent` waits in a
 * first-come queue of at most `maxQueued` for at most `maxWaitMs`, and is otherwise not run at all
 * (BUSY). A flood then gets quick refusals instead of answers that take ever longer (and time out).
 * A newcomer whose wait would exceed `maxWaitMs` (the queue ahead of it at the recent run time) is
 * refused at once rather than after waiting that long for nothing.
 *
 * `narrow(n)` lowers the bound to `n` until runs succeed again: each run that resolves raises it by
 * one, back up to `maxConcurrent` (a slow start, for work that opens a connection per run at once).
 */
export class BoundedSlots {
  private running = 0;
  private readonly queue: { admit: (admitted: boolean) => void; timer: NodeJS.Timeout }[] = [];
  /** The recent time a run takes, ms (0 until one finished). */
  private averageMs = 0;
  /** Runs allowed at once now: `maxConcurrent`, or fewer after `narrow`. */
  private window: number;

  constructor(private readonly limits: SlotLimits) {
    this.window = limits.maxConcurrent;
  }

  /** Runs now, or after waiting for a slot, or not at all (BUSY). */
  async run<T>(work: () => Promise<T>): Promise<T | Busy> {
    if (this.running < this.window) this.running += 1;
    else if (!(await this.waitForSlot())) return BUSY;
    const started = performance.now();
    try {
      const result = await work();
      if (this.window < this.limits.maxConcurrent) this.window += 1;
      return result;
    } finally {
      const ms = performance.now() - started;
      this.averageMs = this.averageMs === 0 ? ms : this.averageMs + RECENT * (ms - this.averageMs);
      this.release();
    }
  }

  /** At most `n` (at least 1) at once from now, one more for each run that succeeds; runs in flight finish. */
  narrow(n: number): void {
    this.window = Math.max(1, Math.min(this.window, n));
  }

  /** How many may run at once now. */
  get bound(): number {
    return this.window;
  }

  /** True when a new run would have to wait for a slot. */
  get full(): boolean {
    return this.running >= this.window;
  }

  /** True once a finishing run handed its slot over; false when the queue is full or the wait ran out. */
  private waitForSlot(): Promise<boolean> {
    const { maxQueued, maxWaitMs } = this.limits;
    if (this.queue.length >= maxQueued) return Promise.resolve(false);
    if (((this.queue.length + 1) * this.averageMs) / this.window > maxWaitMs) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        admit: resolve,
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          resolve(false);
        }, maxWaitMs),
      };
      this.queue.push(waiter);
    });
  }

  /**
   * A finished run's slot goes straight to the longest waiter, so `running` never exceeds the bound;
   * a bound raised since lets in more than one, a narrowed one none until enough have finished.
   */
  private release(): void {
    this.running -= 1;
    while (this.running < this.window && this.queue.length > 0) {
      const next = this.queue.shift() as (typeof this.queue)[number];
      clearTimeout(next.timer);
      this.running += 1;
      next.admit(true);
    }
  }
}
