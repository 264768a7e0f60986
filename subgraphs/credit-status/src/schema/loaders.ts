import { batchByKey, batchGroupsByKey } from '@commerce-supergraph/shared/db/batch';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { loadStatuses } from '../domain/scoring.js';
import { CreditScoreChange, type CreditStatus } from '../entities/index.js';

/**
 * One query per field per request, however many customers a response holds (no N+1). Ids that
 * cannot be uuids are answered with nothing instead of reaching PostgreSQL.
 */
export function createLoaders(em: EntityManager) {
  const valid = (ids: readonly string[]) => ids.filter(isUuid);
  return {
    /** Creates a status that is not there yet (registered event still in flight). */
    creditStatus: new DataLoader<string, CreditStatus | undefined>((ids) =>
      batchByKey(ids, loadStatuses(em, valid(ids)), (status) => status.customerId),
    ),
    history: new DataLoader<string, CreditScoreChange[]>((ids) =>
      batchGroupsByKey(
        ids,
        em.find(CreditScoreChange, { creditStatus: { $in: valid(ids) } }, { orderBy: { id: 'asc' } }),
        (change) => change.creditStatus.unwrap().customerId,
      ),
    ),
  };
}

export type CreditLoaders = ReturnType<typeof createLoaders>;
