import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Product } from '../entities/index.js';

/**
 * The Dashboard's hot read (issue #10): `_entities(Product)` loads the products of a customer's
 * order lines by id on every request. `em.find` spent most of its time building the query
 * (createQueryBuilderFromOptions, processWhere, toQuery), not in PostgreSQL, so this one is written
 * by hand and run through the request's EntityManager (its connection and transaction, its logging),
 * and `em.map` makes managed entities of the rows exactly as `em.find` would (brand and category as
 * references). Inactive products are found too: an order line still shows what it was.
 */
const PRODUCT_COLUMNS = `id, created_at, updated_at, sku, name, description, price_amount, currency_code, image_url,
  active, brand_id, category_id, on_hand, reserved`;

/** The products with these ids, in no particular order; ids that cannot be uuids match nothing. */
export async function productsById(em: EntityManager, ids: readonly string[]): Promise<Product[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  // MikroORM inlines an array parameter as a comma list: hence `array[?]`.
  const rows: Record<string, unknown>[] = await em.execute(
    `select ${PRODUCT_COLUMNS} from products where id = any(array[?]::uuid[])`,
    [valid],
  );
  return rows.map((row) => em.map(Product, row));
}
