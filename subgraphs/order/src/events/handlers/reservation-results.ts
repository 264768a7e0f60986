import type { Delivery } from '@commerce-supergraph/shared/events/bus';
import { causedBy } from '@commerce-supergraph/shared/events/cause';
import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { HandlerContext } from '@commerce-supergraph/shared/events/inbox';
import type { EntityManager } from '@mikro-orm/postgresql';
import { rejectionReason } from '../../domain/rejection-reason.js';
import { confirmOrder, confirmOrders, rejectOrder } from '../../domain/transitions.js';
import { OrderItem } from '../../entities/index.js';
import type { ReservationRejected, ReservationReserved } from '../contracts/consumed.js';

/**
 * Step 3 of the saga: the product subgraph's answer moves a PENDING order to CONFIRMED or REJECTED,
 * in the inbox's transaction. The status guard makes an answer for an order that moved on meanwhile
 * (cancelled while pending) change nothing; its stock still comes back, because the cancelled event
 * releases whatever the product subgraph reserved for it.
 */
export async function confirmReserved(envelope: EventEnvelope<ReservationReserved>, { em, log }: HandlerContext) {
  const { orderId } = envelope.data;
  const order = await confirmOrder(em, orderId, causedBy(envelope));
  if (!order) log.info({ orderId }, 'reservation for an order that is no longer PENDING; ignored');
}

/**
 * confirmReserved for a group of answers (the inbox's GroupHandler): one UPDATE for them all instead
 * of one each, so a burst's confirmations keep pace with the placements on a busy process.
 */
export async function confirmAllReserved(
  em: EntityManager,
  messages: { envelope: EventEnvelope<ReservationReserved>; delivery: Delivery }[],
) {
  const answers = messages.map(({ envelope }) => ({ orderId: envelope.data.orderId, cause: causedBy(envelope) }));
  const confirmed = new Set((await confirmOrders(em, answers)).map((order) => order.id));
  for (const { envelope, delivery } of messages) {
    const { orderId } = envelope.data;
    if (!confirmed.has(orderId))
      delivery.log.info({ orderId }, 'reservation for an order that is no longer PENDING; ignored');
    // Two answers for one order in a group: the first confirmed it; the second is the repeat.
    confirmed.delete(orderId);
  }
}

export async function rejectUnreserved(envelope: EventEnvelope<ReservationRejected>, { em, log }: HandlerContext) {
  const { orderId, shortLines } = envelope.data;
  const items = await em.find(OrderItem, { order: orderId });
  const names = new Map(items.map((item) => [item.productId, item.productName]));
  const order = await rejectOrder(em, orderId, rejectionReason(shortLines, names), causedBy(envelope));
  if (!order) log.info({ orderId }, 'rejection for an order that is no longer PENDING; ignored');
}
