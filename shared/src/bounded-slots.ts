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
 */
export class BoundedSlots {
  private running = 0;
  private readonly queue: { admit: (admitted: boolean) => void; timer: NodeJS.Timeout }[] = [];
  /** The recent time a run takes, ms (0 until one finished). */
  private averageMs = 0;

  constructor(private readonly limits: SlotLimits) {}

  /** Runs now, or after waiting for a slot, or not at all (BUSY). */
  async run<T>(work: () => Promise<T>): Promise<T | Busy> {
    if (this.running < this.limits.maxConcurrent) this.running += 1;
    else if (!(await this.waitForSlot())) return BUSY;
    const started = performance.now();
    try {
      return await work();
    } finally {
      const ms = performance.now() - started;
      this.averageMs = this.averageMs === 0 ? ms : this.averageMs + RECENT * (ms - this.averageMs);
      this.handOver();
    }
  }

  /** True once a finishing run handed its slot over; false when the queue is full or the wait ran out. */
  private waitForSlot(): Promise<boolean> {
    const { maxQueued, maxConcurrent, maxWaitMs } = this.limits;
    if (this.queue.length >= maxQueued) return Promise.resolve(false);
    if (((this.queue.length + 1) * this.averageMs) / maxConcurrent > maxWaitMs) return Promise.resolve(false);
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

  /** A finished run's slot goes straight to the longest waiter, so `running` never exceeds the bound. */
  private handOver(): void {
    const next = this.queue.shift();
    if (!next) {
      this.running -= 1;
      return;
    }
    clearTimeout(next.timer);
    next.admit(true);
  }
}
