import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import { causedBy } from '@commerce-supergraph/shared/events/envelope';
import type { HandlerContext } from '@commerce-supergraph/shared/events/inbox';
import type { ServiceEvents } from '@commerce-supergraph/shared/events/service-events';
import { rejectionReason } from '../domain/rejection-reason.js';
import { confirmOrder, rejectOrder } from '../domain/transitions.js';
import { OrderItem } from '../entities/index.js';
import { ConsumedSubjects, type ReservationRejected, type ReservationReserved } from './consumed-events.js';

/** Results of different orders are independent: handled several at a time, each order guarded by its status. */
const CONCURRENCY = 16;

/**
 * Step 3 of the saga: the product subgraph's answer moves a PENDING order to CONFIRMED or REJECTED.
 * Each handler runs behind the inbox in one transaction with its effects; the status guard makes an
 * answer for an order that moved on meanwhile (cancelled while pending) change nothing. Its stock
 * still comes back: the cancelled event releases whatever the product subgraph reserved for it.
 */
export async function subscribeSagaHandlers(events: ServiceEvents): Promise<void> {
  await events.subscribe<ReservationReserved>(
    ConsumedSubjects.reservationReserved,
    async (envelope, { em, log }) => {
      const { orderId } = envelope.data;
      if (!known(orderId, log)) return;
      const order = await confirmOrder(em, orderId, causedBy(envelope));
      if (!order) log.info({ orderId }, 'reservation for an order that is no longer PENDING; ignored');
    },
    { concurrency: CONCURRENCY },
  );
  await events.subscribe<ReservationRejected>(
    ConsumedSubjects.reservationRejected,
    async (envelope, { em, log }) => {
      const { orderId, shortLines } = envelope.data;
      if (!known(orderId, log)) return;
      const items = await em.find(OrderItem, { order: orderId });
      const names = new Map(items.map((item) => [item.productId, item.productName]));
      const order = await rejectOrder(em, orderId, rejectionReason(shortLines, names), causedBy(envelope));
      if (!order) log.info({ orderId }, 'rejection for an order that is no longer PENDING; ignored');
    },
    { concurrency: CONCURRENCY },
  );
}

/** An id that is not a uuid cannot be one of ours; no retry would change that. */
function known(orderId: string, log: HandlerContext['log']): boolean {
  if (isUuid(orderId)) return true;
  log.warn({ orderId }, 'inventory event for an order id that is not a uuid; skipped');
  return false;
}
