import {
  createSubgraphService,
  type SubgraphOptions,
  type SubgraphService,
} from '@commerce-supergraph/shared/graphql/subgraph-service';
import type { ProductConfig } from './config.js';
import type { ProductContext } from './context.js';
import { entities } from './entities/index.js';
import { CATALOG_STREAM, SOURCE } from './events/catalog-events.js';
import { INVENTORY_STREAM } from './events/inventory-events.js';
import { subscribeOrderSaga } from './events/saga-handlers.js';
import { migrations } from './migrations/index.js';
import { createSchema } from './schema/index.js';
import { createLoaders } from './schema/loaders.js';
import { seedDemoCatalog } from './seed/seed.js';

export function createProductSubgraph(config: ProductConfig, options: SubgraphOptions = {}): SubgraphService {
  return createSubgraphService<ProductContext>(
    {
      name: SOURCE,
      entities,
      migrations,
      streams: [CATALOG_STREAM, INVENTORY_STREAM],
      createSchema,
      // The saga's consumers attach once the order subgraph's streams exist; the seed's events wait in the outbox.
      async prepare({ orm, events, log }) {
        await subscribeOrderSaga(events);
        if (config.seedDemoCatalog) await seedDemoCatalog(orm.em.fork(), log);
      },
      createContext: (base, em) => ({ ...base, em, loaders: createLoaders(em) }),
    },
    config,
    options,
  );
}
