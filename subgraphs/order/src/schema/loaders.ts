import { batchByKey, batchGroupsByKey } from '@commerce-supergraph/shared/db/batch';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { itemsOfOrders } from '../domain/reads.js';
import { Order, type OrderItem, Payment } from '../entities/index.js';

/**
 * One query per field per request, however many orders a response holds (no N+1). Ids that cannot
 * be uuids are answered with nothing instead of reaching PostgreSQL.
 */
export function createLoaders(em: EntityManager) {
  const valid = (ids: readonly string[]) => ids.filter(isUuid);
  return {
    order: new DataLoader<string, Order | undefined>((ids) =>
      batchByKey(ids, em.find(Order, { id: { $in: valid(ids) } }), (order) => order.id),
    ),
    // Every Dashboard request reads these: hand-written SQL (domain/reads.ts), not em.find.
    items: new DataLoader<string, OrderItem[]>((ids) =>
      batchGroupsByKey(ids, itemsOfOrders(em, ids), (item) => item.order.id),
    ),
    payment: new DataLoader<string, Payment | undefined>((ids) =>
      batchByKey(ids, shownPayments(em, valid(ids)), (payment) => payment.order.id),
    ),
  };
}

/** Per order: the successful payment, else the latest failed attempt. */
async function shownPayments(em: EntityManager, orderIds: string[]): Promise<Payment[]> {
  if (orderIds.length === 0) return [];
  // MikroORM inlines an array parameter as a comma list: hence `array[?]`.
  const rows: Record<string, unknown>[] = await em.execute(
    `select distinct on (order_id) * from payments where order_id = any(array[?]::uuid[])
      order by order_id, status = 'SUCCEEDED' desc, created_at desc, id desc`,
    [orderIds],
  );
  return rows.map((row) => em.map(Payment, row));
}

export type OrderLoaders = ReturnType<typeof createLoaders>;
