import { TransactionPropagation } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs `work` in a transaction: a new one, or the one `em` is already in. Every write of the domain
 * goes through here, so a mutation commits alone, while an event handler's work joins the inbox's
 * transaction and commits with its inbox row: one commit, never a savepoint inside another.
 */
export async function unitOfWork<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  const joins = em.isInTransaction();
  try {
    return await em.transactional(work, { propagation: TransactionPropagation.REQUIRED });
  } catch (error) {
    // MikroORM merges a transaction's entities into `em` after its flush and before its commit. A
    // commit that fails (an insert held back to go with it refused there, see held-statements.ts)
    // would leave `em` holding rows never stored, and the next transaction on `em` would publish an
    // outbox row among them (kick-after-commit.ts). What `em` held is reloaded when next read.
    if (!joins) em.clear();
    throw error;
  }
}
