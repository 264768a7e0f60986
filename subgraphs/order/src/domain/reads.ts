import { entitiesByUuid } from '@commerce-supergraph/shared/db/rows-by-uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OrderItem } from '../entities/index.js';

/**
 * The Dashboard's hot read (issue #10): the lines of every order on a customer's page, for all the
 * page's orders at once, by hand-written SQL (shared/src/db/rows-by-uuid.ts; `order` a reference).
 */
const ITEMS = {
  table: 'order_items',
  columns: `id, order_id, position, product_id, product_name, quantity, unit_price_amount,
  line_total_amount, currency`,
  key: 'order_id',
  orderBy: 'order_id, position',
};

/** The lines of these orders, each order's in the order it was placed; ids that cannot be uuids match nothing. */
export const itemsOfOrders = (em: EntityManager, orderIds: readonly string[]): Promise<OrderItem[]> =>
  entitiesByUuid(em, OrderItem, ITEMS, orderIds);
