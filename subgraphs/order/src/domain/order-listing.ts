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

/** One page of a customer's orders, newest first (keyset on the customer's index), and their count. */
export async function listCustomerOrders(
  em: EntityManager,
  customerId: string,
  options: OrderPageOptions,
): Promise<{ rows: Order[]; totalCount: number }> {
  if (!isUuid(customerId)) return { rows: [], totalCount: 0 };
  const keyset = options.after ? ' and (created_at, id) < (?::timestamptz, ?::uuid)' : '';
  const rows: Record<string, unknown>[] = await em.execute(
    `select * from orders where customer_id = ?${keyset} order by created_at desc, id desc limit ?`,
    [customerId, ...(options.after ?? []), options.limit],
  );
  const [total] = await em.execute<{ count: number }[]>(
    'select count(*)::int as count from orders where customer_id = ?',
    [customerId],
  );
  return { rows: rows.map((row) => em.map(Order, row)), totalCount: total?.count ?? 0 };
}
