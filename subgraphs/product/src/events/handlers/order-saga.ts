import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import { causedBy } from '@commerce-supergraph/shared/events/envelope';
import type { HandlerContext } from '@commerce-supergraph/shared/events/inbox';
import type { ServiceEvents } from '@commerce-supergraph/shared/events/service-events';
import { commitSale, mergeLines, release, reserve } from '../domain/inventory.js';
import { InventorySubjects, recordInventoryEvent } from './inventory-events.js';
import { type OrderCancelled, type OrderCreated, OrderSubjects, type PaymentSucceeded } from './order-events.js';

/**
 * Orders are independent: several are handled at once. Row locks in product id order and a lock per
 * order (see domain/inventory.ts) keep stock exact and each order's steps in turn, whatever the interleaving.
 */
const CONCURRENCY = 16;

/**
 * The product subgraph's side of the order saga. Each handler runs behind the inbox, in one
 * transaction with its stock change and the event it records, so a redelivery changes nothing twice.
 * The consumers of the three subjects are independent: a cancel may be handled before the order's
 * creation (release then leaves a tombstone and the late reserve holds nothing, answering nothing).
 */
export async function subscribeOrderSaga(events: ServiceEvents): Promise<void> {
  await events.subscribe<OrderCreated>(
    OrderSubjects.created,
    async (envelope, { em, log }) => {
      const { orderId, items } = envelope.data;
      if (!known(orderId, log)) return;
      const outcome = await reserve(em, orderId, items);
      if (outcome.ok) {
        const lines = mergeLines(items);
        recordInventoryEvent(em, causedBy(envelope), InventorySubjects.reserved, { orderId, lines });
      } else if ('released' in outcome) {
        log.info({ orderId }, 'order was cancelled before its reservation; nothing reserved');
      } else {
        const { shortLines } = outcome;
        recordInventoryEvent(em, causedBy(envelope), InventorySubjects.rejected, { orderId, shortLines });
      }
    },
    { concurrency: CONCURRENCY },
  );
  await events.subscribe<OrderCancelled>(
    OrderSubjects.cancelled,
    async (envelope, { em, log }) => {
      const { orderId, reason } = envelope.data;
      if (!known(orderId, log)) return;
      log.info({ orderId, reason, lines: await release(em, orderId) }, 'reservation released');
    },
    { concurrency: CONCURRENCY },
  );
  await events.subscribe<PaymentSucceeded>(
    OrderSubjects.paymentSucceeded,
    async (envelope, { em, log }) => {
      const { orderId } = envelope.data;
      if (!known(orderId, log)) return;
      log.info({ orderId, lines: await commitSale(em, orderId) }, 'reservation sold');
    },
    { concurrency: CONCURRENCY },
  );
}

/** An order id that is not a uuid can hold no reservation; no retry would change that. */
function known(orderId: string, log: HandlerContext['log']): boolean {
  if (isUuid(orderId)) return true;
  log.warn({ orderId }, 'order event with an order id that is not a uuid; skipped');
  return false;
}
