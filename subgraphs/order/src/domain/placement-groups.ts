import { AsyncLocalStorage } from 'node:async_hooks';
import { withNext } from '@commerce-supergraph/shared/db/held-statements';
import { postgresCode, refusedByServer } from '@commerce-supergraph/shared/db/refused';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import type { Logger } from '@commerce-supergraph/shared/logging';
import { outsideRequestScope } from '@commerce-supergraph/shared/request-scope';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * A placement's unit of work: what placeOrder runs in its transaction (open-order cap, prices,
 * store). It may run twice (in a group that fails, then alone), so it changes nothing outside the
 * transaction but what it may safely do again.
 */
export type PlacementWork<T> = (tx: EntityManager) => Promise<T>;

interface Waiting {
  em: EntityManager;
  customerId: string;
  work: PlacementWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Runs a function in the caller's async context: its statements log under its own request. */
  inContext: <R>(fn: () => R) => R;
}

/** How long a queued placement's transaction waits for a customer's lock before its placements go alone. */
export const GROUP_LOCK_WAIT_MS = 200;

/** A group holds at most this many placements (admission's slots bound it first: 8 by default). */
export const MAX_GROUP = 64;

/** PostgreSQL's answer when `lock_timeout` ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Group commit for placeOrder: the one saga step a burst still ran as a transaction per order.
 * A placement that arrives while no placement transaction runs starts at once, alone, as before;
 * those that arrive while one runs go together in the next: each its own lock and facts (a round
 * trip each), then all their rows in one multi-row insert per table with one commit.
 *
 * What each placement decides stays its own (its lock, the facts read after it, its refusal, which
 * writes nothing). One placement per customer goes in a group, so a second one reads the first's
 * committed order (the open-order cap, an idempotency key), and not before a rerun of its customer
 * (below) has ended; the locks go in customer id order, so two instances' groups do not wait on
 * each other in a circle (unless two ids share a lock hash: the lock bound then breaks it).
 *
 * Every transaction of the queue waits at most GROUP_LOCK_WAIT_MS for a customer's lock (held by
 * another instance, an erasure, or a rerun here), so one placement cannot hold up the ones behind
 * it for longer. Past it, and for a group when PostgreSQL refuses the transaction or a placement's
 * own work throws before the commit, nothing committed: each placement runs again alone, outside
 * the queue, with no such bound, for the answer it would have had alone. Any other failure is the
 * placement's answer, as it was alone; when the commit's outcome is unknown (the connection lost
 * during it) running again could store an order twice.
 */
export class PlacementGroups {
  private waiting: Waiting[] = [];
  private running = false;
  /** Customers with a placement running alone again: their next placements wait for it. */
  private readonly rerunning = new Set<string>();

  constructor(private readonly log: Logger) {}

  /** Runs `work` in a transaction with the placements waiting beside it, or alone. */
  run<T>(em: EntityManager, customerId: string, work: PlacementWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const inContext = AsyncLocalStorage.snapshot();
      this.waiting.push({ em, customerId, work, resolve: resolve as (value: unknown) => void, reject, inContext });
      this.next();
    });
  }

  private next(): void {
    if (this.running || this.waiting.length === 0) return;
    this.running = true;
    const group = this.take();
    if (group.length === 0) {
      this.running = false; // all that waits is behind a rerun, whose end calls next()
      return;
    }
    void this.together(group).then((alone) => {
      // Outside the queue, with no lock bound: as placeOrder ran before there were groups.
      for (const p of alone) this.rerun(p);
      this.running = false;
      this.next();
    });
  }

  private rerun(p: Waiting): void {
    this.rerunning.add(p.customerId);
    void p
      .inContext(() => unitOfWork(p.em, p.work))
      .then(p.resolve, p.reject)
      .finally(() => {
        this.rerunning.delete(p.customerId);
        this.next();
      });
  }

  /** The oldest waiting placements, one per customer and none of a customer rerunning, in id order. */
  private take(): Waiting[] {
    const customers = new Set<string>(this.rerunning);
    const group: Waiting[] = [];
    const later: Waiting[] = [];
    for (const placement of this.waiting) {
      if (customers.has(placement.customerId) || group.length >= MAX_GROUP) later.push(placement);
      else {
        customers.add(placement.customerId);
        group.push(placement);
      }
    }
    this.waiting = later;
    return group.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  }

  /** Runs the group in one transaction; returns the placements to run again alone (none, or all). */
  private async together(group: Waiting[]): Promise<Waiting[]> {
    let committing = false;
    try {
      // Alone, in its own request's EntityManager and scope, as placeOrder ran before there were groups.
      const [first] = group as [Waiting];
      const [scope, em] = group.length === 1 ? [first.inContext, first.em] : [outsideRequestScope, first.em.fork()];
      const answers = await scope(() =>
        unitOfWork(em, async (tx) => {
          // Held, so it goes out with the first placement's lock: no round trip of its own.
          await tx.execute(withNext(`set local lock_timeout = ${GROUP_LOCK_WAIT_MS}`));
          const results: unknown[] = [];
          for (const placement of group) results.push(await placement.inContext(() => placement.work(tx)));
          // The rows are held to go with the commit: from here on a failure may come after it.
          await tx.flush();
          committing = true;
          return results;
        }),
      );
      for (const [i, placement] of group.entries()) placement.resolve(answers[i]);
      return [];
    } catch (error) {
      if (again(error, group.length, committing)) {
        if (group.length > 1)
          this.log.info({ err: error, placements: group.length }, 'placement group refused; each goes alone');
        return group;
      }
      for (const placement of group) placement.reject(error);
      return [];
    }
  }
}

/**
 * Whether a failed transaction of the queue runs its placements again alone: when the lock bound
 * ran out; for a group, also when nothing of it can have committed (a failure before the commit,
 * or PostgreSQL's refusal of it). A placement alone otherwise gets the error it would have had alone.
 */
function again(error: unknown, placements: number, committing: boolean): boolean {
  if (postgresCode(error) === LOCK_NOT_AVAILABLE) return true;
  return placements > 1 && (!committing || refusedByServer(error));
}
