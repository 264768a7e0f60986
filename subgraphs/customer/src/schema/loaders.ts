import { batchByKey, batchGroupsByKey } from '@commerce-supergraph/shared/db/batch';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { Customer, CustomerEvent, FinancialProfile } from '../entities/index.js';

/** One query per field per request, however many customers a response holds (no N+1). */
export function createLoaders(em: EntityManager) {
  return {
    customer: new DataLoader<string, Customer | undefined>((ids) =>
      batchByKey(ids, em.find(Customer, { id: { $in: [...ids] } }), (c) => c.id),
    ),
    financialProfile: new DataLoader<string, FinancialProfile | undefined>((ids) =>
      batchByKey(ids, em.find(FinancialProfile, { customerId: { $in: [...ids] } }), (p) => p.customerId),
    ),
    history: new DataLoader<string, CustomerEvent[]>((ids) =>
      batchGroupsByKey(
        ids,
        em.find(CustomerEvent, { customerId: { $in: [...ids] } }, { orderBy: { occurredAt: 'asc', id: 'asc' } }),
        (event) => event.customerId,
      ),
    ),
  };
}

export type CustomerLoaders = ReturnType<typeof createLoaders>;
