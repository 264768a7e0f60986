import { ConsumerCatchUp } from '@commerce-supergraph/shared/events/jetstream/catch-up';
import { ProjectionFence } from '@commerce-supergraph/shared/events/jetstream/projection-fence';
import type { ServiceEvents } from '@commerce-supergraph/shared/events/service-events';
import type { Logger } from '@commerce-supergraph/shared/logging';
import type { AwaitCatalog } from '../domain/place-order.js';
import { ConsumedSubjects } from './contracts/consumed.js';

/** The longest placeOrder waits for a price projection that is behind the catalog. */
export const CATALOG_MAX_WAIT_MS = 1_000;

/**
 * Read-your-writes for the price projection. The product subgraph answers a catalog mutation only
 * once its upserted event is stored in the CATALOG stream and a running order subgraph has said its
 * projection applied it (projection-fence.ts). So a product `createProduct` returned, or the price
 * `updateProduct` set, is what the order is priced with.
 *
 * Normal case: nothing before placeOrder reads `product_prices`, the fence being up. While it is down
 * (at start, after a catalog question this instance has not answered yet, after a lost connection,
 * and once a second at most) placeOrder checks: two NATS requests (the last upserted event's
 * sequence, the consumer's ack floor), a wait only while the projection is behind, at most
 * CATALOG_MAX_WAIT_MS; caught up, the fence is up again. Without NATS it checks nothing (the
 * projection is then as good as it gets).
 *
 * The check reads the ack floor (everything up to it applied), not `projection_positions` (the
 * highest sequence applied): a failed event waits for its redelivery while later ones apply, and
 * instances sharing the database apply in parallel, so the highest is not a floor.
 */
export function catalogBarrier(events: ServiceEvents, projectionConsumer: string): (log: Logger) => AwaitCatalog {
  const catchUp = new ConsumerCatchUp({
    connection: () => events.bus.connection,
    subject: ConsumedSubjects.productUpserted,
    consumer: projectionConsumer,
    maxWaitMs: CATALOG_MAX_WAIT_MS,
  });
  const fence = new ProjectionFence({
    connection: () => events.bus.connection,
    subject: ConsumedSubjects.productUpserted,
    catchUp: () => catchUp.wait(),
  });
  return (log) => async () => {
    const outcome = await fence.wait();
    if (outcome === 'behind') {
      log.warn(
        { maxWaitMs: CATALOG_MAX_WAIT_MS },
        'price projection still behind the catalog; pricing from it as it is',
      );
    } else if (outcome === 'unavailable') {
      log.debug('price projection progress unknown (NATS away?); pricing from it as it is');
    }
  };
}
