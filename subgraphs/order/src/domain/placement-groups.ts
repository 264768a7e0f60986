import { AsyncResource } from 'node:async_hooks';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { outsideRequestScope } from '@commerce-supergraph/shared/request-scope';
import type { EntityManager } from '@mikro-orm/postgresql';

/** A placement's unit of work: what placeOrder runs in its transaction (open-order cap, prices, store). */
export type PlacementWork<T> = (tx: EntityManager) => Promise<T>;

interface Waiting {
  em: EntityManager;
  customerId: string;
  work: PlacementWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A group holds at most this many placements (admission's slots bound it first: 8 by default). */
export const MAX_GROUP = 64;

/**
 * Group commit for placeOrder. Each placement was a transaction of its own: two round trips (the
 * customer's lock with the open-order facts; the inserts with the commit), one commit, three
 * inserts. In a flash sale that was most of the order subgraph's database work: the saga's event
 * handlers already handle a burst's messages in groups, placements did not.
 *
 * A placement that arrives while no transaction runs starts at once, alone, as before: a steady
 * stream of orders waits for nothing. Those that arrive while one runs wait for it, then go
 * together in one transaction: each its own lock and facts, one after the other (a round trip
 * each), then all their rows in one multi-row insert per table with one commit. So k placements
 * cost k + 1 round trips and one commit instead of 2k and k.
 *
 * What each placement decides stays its own: its customer's lock, the facts read after it, its
 * refusal (a refusal writes nothing, so it does not touch the others). Two rules keep the group
 * from changing any answer:
 * - one placement per customer in a group: a second one waits for the next group, so the facts
 *   it reads (open orders, an idempotency key) include the first one's committed order;
 * - the group takes its customers' locks in id order, so two groups (two instances) never wait on
 *   each other in a circle.
 * If the group's transaction fails (a double submit's unique index at the commit, a lost
 * connection), nothing of it is stored, and each placement runs again alone: each gets the answer
 * it would have had alone, the failing one its own error.
 *
 * The price: the placements of one instance wait for each other. One whose customer's lock is held
 * elsewhere (another instance's placement or group, an erasure: transactions of milliseconds) now
 * holds up the placements behind it, where before only its customer's waited.
 */
export class PlacementGroups {
  private waiting: Waiting[] = [];
  private running = false;

  constructor(private readonly maxGroup = MAX_GROUP) {}

  /** Runs `work` in a transaction, alone or with the placements waiting beside it. */
  run<T>(em: EntityManager, customerId: string, work: PlacementWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Bound to the caller's async context: alone or in a group, its statements log under its request.
      const bound = AsyncResource.bind(work) as PlacementWork<unknown>;
      this.waiting.push({ em, customerId, work: bound, resolve: resolve as (value: unknown) => void, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.running || this.waiting.length === 0) return;
    this.running = true;
    void this.commit(this.take()).finally(() => {
      this.running = false;
      this.next();
    });
  }

  /** The oldest waiting placements, one per customer, at most maxGroup, in customer id order. */
  private take(): Waiting[] {
    const customers = new Set<string>();
    const group: Waiting[] = [];
    const later: Waiting[] = [];
    for (const placement of this.waiting) {
      if (group.length < this.maxGroup && !customers.has(placement.customerId)) {
        customers.add(placement.customerId);
        group.push(placement);
      } else later.push(placement);
    }
    this.waiting = later;
    return group.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  }

  private async commit(group: Waiting[]): Promise<void> {
    if (group.length > 1) {
      const results = await outsideRequestScope(() =>
        unitOfWork((group[0] as Waiting).em.fork(), async (tx) => {
          const answers: unknown[] = [];
          for (const placement of group) answers.push(await placement.work(tx));
          return answers;
        }),
      ).catch(() => undefined);
      if (results) {
        for (const [i, placement] of group.entries()) placement.resolve(results[i]);
        return;
      }
      // Nothing of the group was stored: each goes again alone below, for its own answer.
    }
    await Promise.all(group.map((p) => unitOfWork(p.em, p.work).then(p.resolve, p.reject)));
  }
}
