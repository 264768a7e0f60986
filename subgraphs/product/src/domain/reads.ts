import { entitiesByUuid } from '@commerce-supergraph/shared/db/rows-by-uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Product } from '../entities/index.js';

/**
 * The Dashboard's hot read (issue #10): `_entities(Product)` loads the products of a customer's
 * order lines by id on every request, by hand-written SQL (shared/src/db/rows-by-uuid.ts; brand and
 * category as references). Inactive products are found too: an order line still shows what it was.
 */
const PRODUCTS = {
  table: 'products',
  columns: `id, created_at, updated_at, sku, name, description, price_amount, currency_code, image_url,
  active, brand_id, category_id, on_hand, reserved`,
  key: 'id',
};

/** The products with these ids, in no particular order; ids that cannot be uuids match nothing. */
export const productsById = (em: EntityManager, ids: readonly string[]): Promise<Product[]> =>
  entitiesByUuid(em, Product, PRODUCTS, ids);
