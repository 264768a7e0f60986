import type { EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import { OutboxMessage } from './outbox.js';

/**
 * Kicks the relay after a commit that made outbox rows visible. A savepoint release (a nested
 * `transactional`) is not such a commit: its rows become visible with the outermost commit, whose
 * EntityManager has the nested one's entities merged in, so that commit looks for rows it has not
 * kicked for yet. A rolled-back transaction never kicks.
 */
export class KickAfterCommit implements EventSubscriber {
  private readonly kicked = new WeakSet<OutboxMessage>();

  constructor(private readonly kick: () => void) {}

  afterTransactionCommit(args: TransactionEventArgs): void {
    if (args.transaction?.savepointName) return;
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
