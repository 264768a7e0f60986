import { batchByKey } from '@commerce-supergraph/shared/db/batch';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { productsById } from '../domain/reads.js';
import { Brand, Category, type Product } from '../entities/index.js';

/**
 * One query per entity type per request, however many products a response holds (no N+1).
 * Ids that cannot be uuids are answered with nothing instead of reaching PostgreSQL.
 */
export function createLoaders(em: EntityManager) {
  const valid = (ids: readonly string[]) => ids.filter(isUuid);
  return {
    // Every Dashboard request reads some: hand-written SQL (domain/reads.ts), not em.find.
    product: new DataLoader<string, Product | undefined>((ids) =>
      batchByKey(ids, productsById(em, ids), (product) => product.id),
    ),
    brand: new DataLoader<string, Brand | undefined>((ids) =>
      batchByKey(ids, em.find(Brand, { id: { $in: valid(ids) } }), (brand) => brand.id),
    ),
    category: new DataLoader<string, Category | undefined>((ids) =>
      batchByKey(ids, em.find(Category, { id: { $in: valid(ids) } }), (category) => category.id),
    ),
  };
}

export type ProductLoaders = ReturnType<typeof createLoaders>;
