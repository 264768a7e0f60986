import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OrderItem } from '../entities/index.js';

/**
 * The Dashboard's hot read (issue #10): the lines of every order on a customer's page, for all the
 * page's orders at once. `em.find` spent most of its time building the query
 * (createQueryBuilderFromOptions, processWhere, toQuery), not in PostgreSQL, so this one is written
 * by hand and run through the request's EntityManager (its connection and transaction, its logging),
 * and `em.map` makes managed entities of the rows exactly as `em.find` would (`order` a reference).
 */
const ITEM_COLUMNS = `id, order_id, position, product_id, product_name, quantity, unit_price_amount,
  line_total_amount, currency`;

/** The lines of these orders, each order's in the order it was placed; ids that cannot be uuids match nothing. */
export async function itemsOfOrders(em: EntityManager, orderIds: readonly string[]): Promise<OrderItem[]> {
  const valid = orderIds.filter(isUuid);
  if (valid.length === 0) return [];
  // MikroORM inlines an array parameter as a comma list: hence `array[?]`.
  const rows: Record<string, unknown>[] = await em.execute(
    `select ${ITEM_COLUMNS} from order_items where order_id = any(array[?]::uuid[]) order by order_id, position`,
    [valid],
  );
  return rows.map((row) => em.map(OrderItem, row));
}
