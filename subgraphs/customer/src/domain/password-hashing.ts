import { hashPassword, verifyPassword } from '@commerce-supergraph/shared/auth/password';
import { BoundedSlots, type Busy, type SlotLimits } from '@commerce-supergraph/shared/bounded-slots';

/** `maxConcurrent`: hashes and verifications at once; each argon2id run takes 19 MiB and ~50 ms of a core. */
export type PasswordHashingLimits = SlotLimits;

/** The argon2id functions themselves: shared/src/auth/password.ts, or a counting stand-in in tests. */
export interface PasswordFunctions {
  hash(password: string): Promise<string>;
  verify(password: string, phc: string): Promise<boolean>;
}

export { BUSY, type Busy } from '@commerce-supergraph/shared/bounded-slots';

/**
 * Password hashing and verification with a bounded number in flight. A flood of registrations or
 * logins cannot take every core and 19 MiB per request: work beyond `maxConcurrent` waits in a
 * first-come queue of at most `maxQueued` for at most `maxWaitMs`, and is otherwise answered BUSY,
 * which the domain reports as TOO_MANY_REQUESTS. Per instance of the subgraph (it bounds this
 * process's CPU and memory).
 */
export class PasswordHashing {
  private readonly slots: BoundedSlots;

  constructor(
    limits: PasswordHashingLimits,
    private readonly functions: PasswordFunctions = { hash: hashPassword, verify: verifyPassword },
  ) {
    this.slots = new BoundedSlots(limits);
  }

  hash(password: string): Promise<string | Busy> {
    return this.slots.run(() => this.functions.hash(password));
  }

  verify(password: string, phc: string): Promise<boolean | Busy> {
    return this.slots.run(() => this.functions.verify(password, phc));
  }
}
