import { batchByKey, batchGroupsByKey } from '@commerce-supergraph/shared/db/batch';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { customersById } from '../domain/reads.js';
import type { Customer } from '../entities/index.js';
import { CustomerEvent, FinancialProfile, Notification } from '../entities/index.js';

/** One query per field per request, however many customers a response holds (no N+1). */
export function createLoaders(em: EntityManager) {
  return {
    // Every Dashboard request reads one: hand-written SQL (domain/reads.ts), not em.find.
    customer: new DataLoader<string, Customer | undefined>((ids) =>
      batchByKey(ids, customersById(em, ids), (c) => c.id),
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
    notifications: new DataLoader<string, Notification[]>((ids) =>
      batchGroupsByKey(
        ids,
        em.find(Notification, { customerId: { $in: [...ids] } }, { orderBy: { createdAt: 'desc', id: 'desc' } }),
        (notification) => notification.customerId,
      ),
    ),
  };
}

export type CustomerLoaders = ReturnType<typeof createLoaders>;
