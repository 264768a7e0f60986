import { entitiesByUuid } from '@commerce-supergraph/shared/db/rows-by-uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CreditStatus } from '../entities/index.js';

/**
 * The Dashboard's hot read (issue #10): `Customer.creditStatus` loads statuses by customer id on
 * every request, by hand-written SQL (shared/src/db/rows-by-uuid.ts).
 */
const STATUSES = {
  table: 'credit_statuses',
  columns: 'customer_id, score, created_at, updated_at',
  key: 'customer_id',
};

/** The statuses of these customers, in no particular order; ids that cannot be uuids match nothing. */
export const statusesOf = (em: EntityManager, customerIds: readonly string[]): Promise<CreditStatus[]> =>
  entitiesByUuid(em, CreditStatus, STATUSES, customerIds);
