import type { Delivery } from '@commerce-supergraph/shared/events/bus';
import { causedBy } from '@commerce-supergraph/shared/events/cause';
import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { HandlerContext } from '@commerce-supergraph/shared/events/inbox';
import type { EntityManager } from '@mikro-orm/postgresql';
import { commitSale, release } from '../../domain/inventory.js';
import { reserve, reserveGroup } from '../../domain/reserve.js';
import type { OrderCancelled, OrderCreated, OrderRejected, PaymentSucceeded } from '../contracts/consumed.js';

/**
 * The product subgraph's side of the order saga. Each handler runs the domain in the inbox's
 * transaction, so the stock change, the event it records and the inbox row commit together and a
 * redelivery changes nothing twice. The consumers are independent: a cancel or a rejection may be
 * handled before the order's creation (release then leaves a tombstone and the late reserve holds nothing).
 */
export async function reserveStock(envelope: EventEnvelope<OrderCreated>, { em, log }: HandlerContext) {
  const { orderId, items } = envelope.data;
  // Known once the inbox's transaction commits (the reservation goes with the commit): told then, not awaited.
  const { outcome } = await reserve(em, orderId, items, causedBy(envelope));
  void outcome.then((known) => 'released' in known && log.info({ orderId }, CANCELLED_FIRST));
}

/**
 * reserveStock for a group of orders (the inbox's group handler): one read of their earlier outcomes,
 * one of their stock and one UPDATE, instead of four statements an order.
 */
export async function reserveStockGroup(
  em: EntityManager,
  messages: { envelope: EventEnvelope<OrderCreated>; delivery: Delivery }[],
) {
  const orders = messages.map(({ envelope }) => ({
    orderId: envelope.data.orderId,
    lines: envelope.data.items,
    cause: causedBy(envelope),
  }));
  const outcomes = await reserveGroup(em, orders);
  for (const [i, outcome] of outcomes.entries()) {
    const { delivery, envelope } = messages[i] as (typeof messages)[number];
    if ('released' in outcome) delivery.log.info({ orderId: envelope.data.orderId }, CANCELLED_FIRST);
  }
}

const CANCELLED_FIRST = 'order was cancelled before its reservation; nothing reserved';

export async function releaseStock(envelope: EventEnvelope<OrderCancelled>, { em, log }: HandlerContext) {
  const { orderId, reason } = envelope.data;
  log.info({ orderId, reason, lines: await release(em, orderId) }, 'reservation released');
}

/**
 * A rejected order holds nothing. Usually there was nothing to give back (the reservation itself was
 * refused); but an order rejected at its PENDING deadline may have been reserved here while the
 * answer never reached the order subgraph (e.g. dead-lettered there): its units come back now.
 */
export async function releaseRejected(envelope: EventEnvelope<OrderRejected>, { em, log }: HandlerContext) {
  const { orderId } = envelope.data;
  const lines = await release(em, orderId);
  if (lines > 0) log.info({ orderId, lines }, 'reservation of a rejected order released');
}

export async function sellReservation(envelope: EventEnvelope<PaymentSucceeded>, { em, log }: HandlerContext) {
  const { orderId } = envelope.data;
  log.info({ orderId, lines: await commitSale(em, orderId) }, 'reservation sold');
}
