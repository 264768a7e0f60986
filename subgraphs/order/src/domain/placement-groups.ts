import { AsyncLocalStorage } from 'node:async_hooks';
import { withNext } from '@commerce-supergraph/shared/db/held-statements';
import { refusedByServer } from '@commerce-supergraph/shared/db/refused';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { outsideRequestScope } from '@commerce-supergraph/shared/request-scope';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';

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

/** How long a placement in the shared transaction waits for its customer's lock before all go alone. */
export const GROUP_LOCK_WAIT_MS = 200;

/**
 * Group commit for placeOrder: the one saga step a burst still ran as a transaction per order.
 * A placement that arrives while no placement transaction runs starts at once, alone, as before;
 * those that arrive while one runs go together in the next: each its own lock and facts (a round
 * trip each), then all their rows in one multi-row insert per table with one commit.
 *
 * What each placement decides stays its own (its lock, the facts read after it, its refusal, which
 * writes nothing). One placement per customer goes in a group, so a second one reads the first's
 * committed order (the open-order cap, an idempotency key); the locks go in customer id order, so
 * two instances' groups do not wait on each other in a circle (unless two ids share a lock hash:
 * PostgreSQL then breaks the circle, and both groups go alone as below).
 *
 * When the shared transaction is refused by PostgreSQL (a statement's error, a lock not free
 * within GROUP_LOCK_WAIT_MS) or a placement's own work throws, nothing of it committed: each
 * placement runs again alone, outside the queue, for the answer it would have had alone. When the
 * outcome is unknown (the connection lost, or the deadline passed, during the commit), every
 * placement of the group gets that error, as a placement alone would: running again could store an
 * order twice. The lock wait's bound keeps one placement whose customer is locked elsewhere from
 * holding up the placements behind it for longer.
 */
export class PlacementGroups {
  private waiting: Waiting[] = [];
  private running = false;

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
    void this.together(this.take()).then((alone) => {
      this.running = false;
      this.next();
      // Outside the queue, with no lock bound: as placeOrder ran before there were groups.
      for (const p of alone) p.inContext(() => unitOfWork(p.em, p.work)).then(p.resolve, p.reject);
    });
  }

  /** The oldest waiting placements, one per customer, in customer id order. */
  private take(): Waiting[] {
    const customers = new Set<string>();
    const group: Waiting[] = [];
    const later: Waiting[] = [];
    for (const placement of this.waiting) {
      if (customers.has(placement.customerId)) later.push(placement);
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
      const scope = group.length === 1 ? (group[0] as Waiting).inContext : outsideRequestScope;
      const answers = await scope(() =>
        unitOfWork((group[0] as Waiting).em.fork(), async (tx) => {
          // Held, so it goes out with the first placement's lock: no round trip of its own.
          await tx.execute(withNext(`set local lock_timeout = ${GROUP_LOCK_WAIT_MS}`));
          const results: unknown[] = [];
          for (const placement of group) results.push(await placement.inContext(() => placement.work(tx)));
          committing = true;
          return results;
        }),
      );
      for (const [i, placement] of group.entries()) placement.resolve(answers[i]);
      return [];
    } catch (error) {
      if (committing && !refusedByServer(error)) {
        for (const placement of group) placement.reject(error);
        return [];
      }
      if (group.length > 1)
        this.log.info({ err: error, placements: group.length }, 'placement group refused; each goes alone');
      return group;
    }
  }
}
