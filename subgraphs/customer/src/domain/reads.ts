import { entitiesByUuid } from '@commerce-supergraph/shared/db/rows-by-uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Customer } from '../entities/index.js';

/**
 * The Dashboard's hot read (issue #10): `me` and `_entities(Customer)` load customers by id on every
 * request, by hand-written SQL (shared/src/db/rows-by-uuid.ts). The lazy columns (password_hash,
 * national_id) are left out, as `em.find` leaves them out.
 */
const CUSTOMERS = {
  table: 'customers',
  columns: 'id, created_at, updated_at, name, email, phone, address, date_of_birth, roles',
  key: 'id',
};

/** The customers with these ids, in no particular order; ids that cannot be uuids match nothing. */
export const customersById = (em: EntityManager, ids: readonly string[]): Promise<Customer[]> =>
  entitiesByUuid(em, Customer, CUSTOMERS, ids);
