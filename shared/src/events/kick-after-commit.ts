import type { EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import { OutboxMessage } from './outbox.js';

/**
 * Kicks the relay after a commit that made outbox rows visible; a rolled-back transaction never
 * kicks. Every write joins the transaction it runs in instead of nesting one (see unitOfWork), so
 * each commit seen here is a real one. One EntityManager may commit several transactions in turn:
 * only rows it has not kicked for yet count.
 */
export class KickAfterCommit implements EventSubscriber {
  private readonly kicked = new WeakSet<OutboxMessage>();

  constructor(private readonly kick: () => void) {}

  afterTransactionCommit(args: TransactionEventArgs): void {
    let fresh = false;
    for (const entity of args.em.getUnitOfWork().getIdentityMap().values()) {
      if (entity instanceof OutboxMessage && !this.kicked.has(entity)) {
        this.kicked.add(entity);
        fresh = true;
      }
    }
    if (fresh) this.kick();
  }
}
