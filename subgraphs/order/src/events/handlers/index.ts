import { on, type Subscription } from '@commerce-supergraph/shared/events/service-events';
import type { EntityManager } from '@mikro-orm/postgresql';
import { databaseId } from '../../domain/price-projection.js';
import { Consumed } from '../contracts/consumed.js';
import { eraseDeletedCustomer } from './customer-erasure.js';
import { projectionConsumerName, projectPrice } from './price-projection.js';
import { confirmAllReserved, confirmReserved, rejectAllUnreserved, rejectUnreserved } from './reservation-results.js';

/** Results of different orders are independent: handled several at a time, each order guarded by its status. */
const CONCURRENCY = 16;

/**
 * Every event the order subgraph consumes, and what handles it. The price projection keeps
 * concurrency 1, so one product's upserts apply in stream order (the projection also guards it).
 */
export async function eventHandlers(em: EntityManager): Promise<Subscription[]> {
  return [
    on(Consumed.reservationReserved, confirmReserved, { concurrency: CONCURRENCY, handleGroup: confirmAllReserved }),
    on(Consumed.reservationRejected, rejectUnreserved, { concurrency: CONCURRENCY, handleGroup: rejectAllUnreserved }),
    on(Consumed.productUpserted, projectPrice, { name: projectionConsumerName(await databaseId(em)) }),
    on(Consumed.customerDeleted, eraseDeletedCustomer),
  ];
}
