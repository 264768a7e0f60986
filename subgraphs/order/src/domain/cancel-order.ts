import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { type Result, refused, succeeded } from '@commerce-supergraph/shared/graphql/payloads';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CancellationReason, Order } from '../entities/index.js';
import type { Authorize } from './pay-order.js';
import { cancelOrder } from './transitions.js';

/**
 * The customer's (or an admin's) cancel: a PENDING or CONFIRMED order becomes CANCELLED and its stock
 * comes back; PAID, REJECTED and CANCELLED orders are INVALID_STATE. The status is re-checked by the
 * conditional update itself, so a payment or an expiry committing in between is never overwritten.
 */
export async function cancelByCustomer(
  em: EntityManager,
  authorize: Authorize,
  orderId: string,
  cause: Cause,
): Promise<Result<Order>> {
  const notFound = userError(['id'], 'NOT_FOUND', 'No order with this id');
  if (!isUuid(orderId)) return refused([notFound]);
  const order = await em.findOne(Order, { id: orderId });
  if (!order) return refused([notFound]);
  authorize(order.customerId);
  const cancelled = await cancelOrder(em, orderId, CancellationReason.CUSTOMER, cause);
  if (cancelled) return succeeded(cancelled);
  await em.refresh(order);
  const message = `Only a PENDING or CONFIRMED order can be cancelled; this one is ${order.status}`;
  return refused([userError(['id'], 'INVALID_STATE', message)]);
}
