import { askProjections } from '@commerce-supergraph/shared/events/jetstream/projection-fence';
import {
  createSubgraphService,
  type SubgraphOptions,
  type SubgraphService,
} from '@commerce-supergraph/shared/graphql/subgraph-service';
import type { ProductConfig } from './config.js';
import type { ProductContext } from './context.js';
import { seedDemoCatalog } from './domain/seed.js';
import { entities } from './entities/index.js';
import { CATALOG_STREAM, INVENTORY_STREAM, ProductSubjects, SOURCE } from './events/contracts/published.js';
import { eventHandlers } from './events/handlers/index.js';
import { migrations } from './migrations/index.js';
import { createSchema } from './schema/index.js';
import { createLoaders } from './schema/loaders.js';

/** The longest a catalog mutation waits for its event to be stored before it answers anyway. */
const ANNOUNCE_TIMEOUT_MS = 1_000;
/**
 * The longest it then waits for the price projections to apply it: above the order subgraph's own
 * longest catch-up (1 s), so a projection that catches up in time is heard.
 */
const PROJECTIONS_TIMEOUT_MS = 1_500;

export function createProductSubgraph(config: ProductConfig, options: SubgraphOptions = {}): SubgraphService {
  return createSubgraphService<ProductContext>(
    {
      name: SOURCE,
      entities,
      migrations,
      streams: [CATALOG_STREAM, INVENTORY_STREAM],
      createSchema,
      // The saga's consumers attach once the order subgraph's streams exist; the seed's events wait in the outbox.
      eventHandlers,
      async prepare({ orm, log }) {
        if (config.seedDemoCatalog) await seedDemoCatalog(orm.em.fork(), log);
      },
      createContext: (base, em, { events }) => ({
        ...base,
        em,
        loaders: createLoaders(em),
        // Stored, then applied by the running price projections (projection-fence.ts): an order
        // placed after the answer is priced with the change, and placeOrder need not ask NATS first.
        announced: async (eventId) => {
          if (!(await events.whenPublished(eventId, ANNOUNCE_TIMEOUT_MS))) {
            // Nobody is asked: an order subgraph checks again within a second (the fence's holdMs) and sees it then.
            base.log.warn({ eventId }, 'catalog change answered before its event was stored (NATS away or slow)');
            return;
          }
          const heard = await askProjections(
            events.bus.connection,
            ProductSubjects.productUpserted,
            PROJECTIONS_TIMEOUT_MS,
          );
          if (heard === 'behind' || heard === 'no-answer')
            base.log.warn({ eventId, heard }, 'price projections did not confirm the catalog change in time');
        },
      }),
    },
    config,
    options,
  );
}
