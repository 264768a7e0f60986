import type { EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';

/**
 * Kicks a worker after a commit that made rows of `entity` visible (the outbox relay after outbox
 * rows, a dispatcher after rows it sends); a rolled-back transaction never kicks. Every write joins
 * the transaction it runs in instead of nesting one (see unitOfWork), so each commit seen here is a
 * real one. One EntityManager may commit several transactions in turn: only rows it has not kicked
 * for yet count.
 */
export class KickAfterCommit<T extends object> implements EventSubscriber {
  private readonly kicked = new WeakSet<T>();

  constructor(
    private readonly entity: abstract new (...args: never[]) => T,
    private readonly kick: () => void,
  ) {}

  afterTransactionCommit(args: TransactionEventArgs): void {
    let fresh = false;
    for (const row of args.em.getUnitOfWork().getIdentityMap().values()) {
      if (row instanceof this.entity && !this.kicked.has(row as T)) {
        this.kicked.add(row as T);
        fresh = true;
      }
    }
    if (fresh) this.kick();
  }
}
