import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CancellationReason, Order } from '../entities/index.js';
import { lockCustomer, OPEN } from './open-order-cap.js';
import { cancelOrder } from './transitions.js';

/**
 * A deleted customer's share of this subgraph, in one transaction under the customer's lock (the
 * one placeOrder takes, so a placement racing the deletion either committed before, and is
 * cancelled here, or comes after, and is refused): the id is remembered, every open order is
 * cancelled (its event releases the stock), and the orders and payments kept for accounting keep
 * their amounts but lose the client-chosen idempotency keys, the only free text that came from the
 * customer. Running it again changes nothing.
 */
export function eraseCustomer(em: EntityManager, customerId: string, deletedAt: Date, cause: Cause): Promise<number> {
  return unitOfWork(em, async (tx) => {
    await lockCustomer(tx, customerId);
    await tx.execute(
      'insert into deleted_customers (customer_id, deleted_at) values (?, ?) on conflict (customer_id) do nothing',
      [customerId, deletedAt],
      'run',
    );
    const open = await tx.find(Order, { customerId, status: { $in: OPEN } }, { fields: ['id'] });
    let cancelled = 0;
    for (const { id } of open) {
      if (await cancelOrder(tx, id, CancellationReason.CUSTOMER, cause)) cancelled += 1;
    }
    await tx.execute(
      `update payments set idempotency_key = null
        where idempotency_key is not null and order_id in (select id from orders where customer_id = ?)`,
      [customerId],
      'run',
    );
    await tx.execute(
      'update orders set idempotency_key = null where customer_id = ? and idempotency_key is not null',
      [customerId],
      'run',
    );
    return cancelled;
  });
}
