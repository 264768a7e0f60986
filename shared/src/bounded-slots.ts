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

/**
 * A bounded number of runs in flight, per process: work beyond `maxConcurrent` waits in a
 * first-come queue of at most `maxQueued` for at most `maxWaitMs`, and is otherwise not run at all
 * (BUSY). A flood then gets quick refusals instead of answers that take ever longer (and time out).
 */
export class BoundedSlots {
  private running = 0;
  private readonly queue: { admit: (admitted: boolean) => void; timer: NodeJS.Timeout }[] = [];

  constructor(private readonly limits: SlotLimits) {}

  /** Runs now, or after waiting for a slot, or not at all (BUSY). */
  async run<T>(work: () => Promise<T>): Promise<T | Busy> {
    if (this.running < this.limits.maxConcurrent) this.running += 1;
    else if (!(await this.waitForSlot())) return BUSY;
    try {
      return await work();
    } finally {
      this.handOver();
    }
  }

  /** True once a finishing run handed its slot over; false when the queue is full or the wait ran out. */
  private waitForSlot(): Promise<boolean> {
    if (this.queue.length >= this.limits.maxQueued) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        admit: resolve,
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          resolve(false);
        }, this.limits.maxWaitMs),
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
