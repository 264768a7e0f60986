import { hashPassword, verifyPassword } from '@commerce-supergraph/shared/auth/password';

export interface PasswordHashingLimits {
  /** Hashes and verifications running at once; each argon2id run takes 19 MiB and ~50 ms of a core. */
  maxConcurrent: number;
  /** Further ones that may wait for a free slot; beyond that they are refused at once. */
  maxQueued: number;
  /** How long one may wait for a slot before it is refused. */
  maxWaitMs: number;
}

/** The argon2id functions themselves: shared/src/auth/password.ts, or a counting stand-in in tests. */
export interface PasswordFunctions {
  hash(password: string): Promise<string>;
  verify(password: string, phc: string): Promise<boolean>;
}

/** What hashing and verification answer when no slot came free in time. */
export const BUSY: unique symbol = Symbol('password hashing busy');
export type Busy = typeof BUSY;

/**
 * Password hashing and verification with a bounded number in flight. A flood of registrations or
 * logins cannot take every core and 19 MiB per request: work beyond `maxConcurrent` waits in a
 * first-come queue of at most `maxQueued` for at most `maxWaitMs`, and is otherwise answered BUSY,
 * which the domain reports as TOO_MANY_REQUESTS. Per instance of the subgraph (it bounds this
 * process's CPU and memory).
 */
export class PasswordHashing {
  private running = 0;
  private readonly queue: { admit: (admitted: boolean) => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    private readonly limits: PasswordHashingLimits,
    private readonly functions: PasswordFunctions = { hash: hashPassword, verify: verifyPassword },
  ) {}

  hash(password: string): Promise<string | Busy> {
    return this.run(() => this.functions.hash(password));
  }

  verify(password: string, phc: string): Promise<boolean | Busy> {
    return this.run(() => this.functions.verify(password, phc));
  }

  /** Runs now, or after waiting for a slot, or not at all (BUSY). */
  private async run<T>(work: () => Promise<T>): Promise<T | Busy> {
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
