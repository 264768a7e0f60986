import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Order, OrderItem } from '../entities/index.js';

export interface OrderPageOptions {
  /** The (createdAt as ISO-8601, id) of the last order of the previous page. */
  after?: readonly [string, string];
  /** Rows to fetch: the page size plus one, to learn whether another page follows. */
  limit: number;
}

/** Newest first; the id breaks ties of one millisecond, so pages never overlap or leave gaps. */
export const orderCursorKey = (order: Order): [string, string] => [order.createdAt.toISOString(), order.id];

/** The lines of the page's order, as JSON: numerics as text, so amounts keep their exact decimal strings. */
const ITEMS_JSON = `(select coalesce(json_agg(json_build_object(
    'id', i.id, 'order_id', i.order_id, 'position', i.position, 'product_id', i.product_id,
    'product_name', i.product_name, 'quantity', i.quantity, 'unit_price_amount', i.unit_price_amount::text,
    'line_total_amount', i.line_total_amount::text, 'currency', i.currency) order by i.position), '[]'::json)
  from order_items i where i.order_id = page.id)`;

export interface OrderPage {
  rows: Order[];
  totalCount: number;
  /** Each order's lines by position, when asked for with `withItems`. */
  items?: Map<string, OrderItem[]>;
}

/**
 * One page of a customer's orders, newest first (keyset on the customer's index), and their count,
 * and with `withItems` their lines, in one statement: every Dashboard request reads all three
 * (issue #10), and each round trip costs the subgraph a socket write and a trip through the pool. The
 * count comes as a column of every row; the left join keeps one row (its order columns null) when
 * the page is empty, so the count is always there.
 */
export async function listCustomerOrders(
  em: EntityManager,
  customerId: string,
  options: OrderPageOptions & { withItems?: boolean },
): Promise<OrderPage> {
  if (!isUuid(customerId)) return { rows: [], totalCount: 0, ...(options.withItems ? { items: new Map() } : {}) };
  const keyset = options.after ? ' and (created_at, id) < (?::timestamptz, ?::uuid)' : '';
  const rows: Record<string, unknown>[] = await em.execute(
    `with page as (
       select * from orders where customer_id = ?${keyset} order by created_at desc, id desc limit ?
     )
     select total.count as total_count, page.*${options.withItems ? `, ${ITEMS_JSON} as items` : ''}
       from (select count(*)::int as count from orders where customer_id = ?) total
       left join page on true
      order by page.created_at desc, page.id desc`,
    [customerId, ...(options.after ?? []), options.limit, customerId],
  );
  const totalCount = Number(rows[0]?.total_count ?? 0);
  const found = rows.filter((row) => row.id !== null);
  const orders = found.map(({ total_count: _, items: __, ...row }) => em.map(Order, row));
  if (!options.withItems) return { rows: orders, totalCount };
  const items = new Map(
    found.map((row) => [row.id as string, (row.items as Record<string, unknown>[]).map((i) => em.map(OrderItem, i))]),
  );
  return { rows: orders, totalCount, items };
}
