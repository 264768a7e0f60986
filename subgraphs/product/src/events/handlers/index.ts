import { on, type Subscription } from '@commerce-supergraph/shared/events/service-events';
import { Consumed } from '../contracts/consumed.js';
import { releaseRejected, releaseStock, reserveStock, sellReservation } from './order-saga.js';

/**
 * Orders are independent: several are handled at once. Row locks in product id order and a lock per
 * order (see domain/inventory.ts) keep stock exact and each order's steps in turn, whatever the interleaving.
 */
const CONCURRENCY = 16;

/** Every event the product subgraph consumes, and what handles it. */
export function eventHandlers(): Subscription[] {
  return [
    on(Consumed.orderCreated, reserveStock, { concurrency: CONCURRENCY }),
    on(Consumed.orderCancelled, releaseStock, { concurrency: CONCURRENCY }),
    on(Consumed.orderRejected, releaseRejected, { concurrency: CONCURRENCY }),
    on(Consumed.paymentSucceeded, sellReservation, { concurrency: CONCURRENCY }),
  ];
}
