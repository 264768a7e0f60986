import { TransactionPropagation } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs `work` in a transaction: a new one, or the one `em` is already in. Every write of the domain
 * goes through here, so a mutation commits alone, while an event handler's work joins the inbox's
 * transaction and commits with its inbox row: one commit, never a savepoint inside another.
 */
export function unitOfWork<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return em.transactional(work, { propagation: TransactionPropagation.REQUIRED });
}
