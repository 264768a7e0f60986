import type { Delivery } from '@commerce-supergraph/shared/events/bus';
import { causedBy } from '@commerce-supergraph/shared/events/cause';
import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { HandlerContext } from '@commerce-supergraph/shared/events/inbox';
import type { EntityManager } from '@mikro-orm/postgresql';
import { rejectionReason } from '../../domain/rejection-reason.js';
import { confirmOrder, confirmOrders, rejectOrder, rejectOrders } from '../../domain/transitions.js';
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
  // Known once the inbox's transaction commits (the update goes with the commit): told then, not awaited.
  const { confirmed } = await confirmOrder(em, orderId, causedBy(envelope));
  void confirmed.then(
    (moved) => moved || log.info({ orderId }, 'reservation for an order that is no longer PENDING; ignored'),
  );
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
  const { confirmed } = await confirmOrders(em, answers);
  void confirmed.then((ids) => {
    const moved = new Set(ids);
    for (const { envelope, delivery } of messages) {
      const { orderId } = envelope.data;
      // Two answers for one order in a group: the first confirmed it; the second is the repeat.
      if (!moved.delete(orderId))
        delivery.log.info({ orderId }, 'reservation for an order that is no longer PENDING; ignored');
    }
  });
}

export async function rejectUnreserved(envelope: EventEnvelope<ReservationRejected>, { em, log }: HandlerContext) {
  const { orderId, shortLines } = envelope.data;
  const names = (await productNames(em, [orderId])).get(orderId);
  const order = await rejectOrder(em, orderId, rejectionReason(shortLines, names ?? new Map()), causedBy(envelope));
  if (!order) log.info({ orderId }, 'rejection for an order that is no longer PENDING; ignored');
}

/** rejectUnreserved for a group of refusals: one read of their lines, one UPDATE (a sold-out flash sale's path). */
export async function rejectAllUnreserved(
  em: EntityManager,
  messages: { envelope: EventEnvelope<ReservationRejected>; delivery: Delivery }[],
) {
  const names = await productNames(
    em,
    messages.map(({ envelope }) => envelope.data.orderId),
  );
  const answers = messages.map(({ envelope }) => ({
    orderId: envelope.data.orderId,
    reason: rejectionReason(envelope.data.shortLines, names.get(envelope.data.orderId) ?? new Map()),
    cause: causedBy(envelope),
  }));
  const rejected = new Set((await rejectOrders(em, answers)).map((order) => order.id));
  for (const { envelope, delivery } of messages) {
    const { orderId } = envelope.data;
    if (!rejected.delete(orderId))
      delivery.log.info({ orderId }, 'rejection for an order that is no longer PENDING; ignored');
  }
}

/** Per order, the names its lines were priced under, by product id (a product renamed since keeps its old name there). */
async function productNames(em: EntityManager, orderIds: string[]): Promise<Map<string, Map<string, string>>> {
  const names = new Map<string, Map<string, string>>();
  for (const item of await em.find(OrderItem, { order: { $in: orderIds } })) {
    const orderId = item.order.id;
    names.set(orderId, (names.get(orderId) ?? new Map()).set(item.productId, item.productName));
  }
  return names;
}
