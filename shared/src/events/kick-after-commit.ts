import type { EntityManager, EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';

/**
 * Kicks a worker after a commit that made rows of `entity` visible (the outbox relay after outbox
 * rows, a dispatcher after rows it sends), with those rows; a rolled-back transaction never kicks. Every write joins
 * the transaction it runs in instead of nesting one (see unitOfWork), so each commit seen here is a
 * real one. One EntityManager may commit several transactions in turn: only rows it has not kicked
 * for yet count.
 */
export class KickAfterCommit<T extends object> implements EventSubscriber {
  private readonly kicked = new WeakSet<T>();

  constructor(
    private readonly entity: abstract new (...args: never[]) => T,
    /** With the rows and the EntityManager that committed them (its identity map holds what it loaded). */
    private readonly kick: (rows: T[], em: EntityManager) => void,
  ) {}

  afterTransactionCommit(args: TransactionEventArgs): void {
    const fresh: T[] = [];
    for (const row of args.em.getUnitOfWork().getIdentityMap().values()) {
      if (row instanceof this.entity && !this.kicked.has(row as T)) {
        this.kicked.add(row as T);
        fresh.push(row as T);
      }
    }
    if (fresh.length > 0) this.kick(fresh, args.em);
  }
}
