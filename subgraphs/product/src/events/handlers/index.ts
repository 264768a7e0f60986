import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import { on, type Subscription } from '@commerce-supergraph/shared/events/service-events';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReservationLine } from '../../domain/inventory.js';
import { lockOrders } from '../../domain/reserve.js';
import { Consumed } from '../contracts/consumed.js';
import { releaseRejected, releaseStock, reserveStock, reserveStockGroup, sellReservation } from './order-saga.js';

/**
 * Orders are independent: several are handled at once. Row locks in product id order and a lock per
 * order (see domain/inventory.ts) keep stock exact and each order's steps in turn, whatever the
 * interleaving. A group of messages in one transaction takes all its locks first, in that order
 * (`lockFirst`): the four consumers lock the same products.
 */
const CONCURRENCY = 16;

/** A group's locks: its orders', then their products (see lockOrders). */
export const lockTheirOrders = (
  em: EntityManager,
  events: EventEnvelope<{ orderId: string; items?: ReservationLine[] }>[],
) =>
  lockOrders(
    em,
    events.map(({ data }) => data),
  );

const options = { concurrency: CONCURRENCY, lockFirst: lockTheirOrders };

/** Every event the product subgraph consumes, and what handles it. */
export function eventHandlers(): Subscription[] {
  return [
    on(Consumed.orderCreated, reserveStock, { ...options, handleGroup: reserveStockGroup }),
    on(Consumed.orderCancelled, releaseStock, options),
    on(Consumed.orderRejected, releaseRejected, options),
    on(Consumed.paymentSucceeded, sellReservation, options),
  ];
}
