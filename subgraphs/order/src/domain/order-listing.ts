import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Order } from '../entities/index.js';

export interface OrderPageOptions {
  /** The (createdAt as ISO-8601, id) of the last order of the previous page. */
  after?: readonly [string, string];
  /** Rows to fetch: the page size plus one, to learn whether another page follows. */
  limit: number;
}

/** Newest first; the id breaks ties of one millisecond, so pages never overlap or leave gaps. */
export const orderCursorKey = (order: Order): [string, string] => [order.createdAt.toISOString(), order.id];

/**
 * One page of a customer's orders, newest first (keyset on the customer's index), and their count,
 * in one statement: every Dashboard request reads this (issue #10), and each round trip costs the
 * subgraph a socket write and a trip through the pool. The count comes as a column of every row; the
 * left join keeps one row (its order columns null) when the page is empty, so the count is always
 * there.
 */
export async function listCustomerOrders(
  em: EntityManager,
  customerId: string,
  options: OrderPageOptions,
): Promise<{ rows: Order[]; totalCount: number }> {
  if (!isUuid(customerId)) return { rows: [], totalCount: 0 };
  const keyset = options.after ? ' and (created_at, id) < (?::timestamptz, ?::uuid)' : '';
  const rows: Record<string, unknown>[] = await em.execute(
    `with page as (
       select * from orders where customer_id = ?${keyset} order by created_at desc, id desc limit ?
     )
     select total.count as total_count, page.*
       from (select count(*)::int as count from orders where customer_id = ?) total
       left join page on true
      order by page.created_at desc, page.id desc`,
    [customerId, ...(options.after ?? []), options.limit, customerId],
  );
  const totalCount = Number(rows[0]?.total_count ?? 0);
  const orders = rows.filter((row) => row.id !== null).map(({ total_count: _, ...row }) => em.map(Order, row));
  return { rows: orders, totalCount };
}
