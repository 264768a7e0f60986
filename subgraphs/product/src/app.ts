import {
  createSubgraphService,
  type SubgraphOptions,
  type SubgraphService,
} from '@commerce-supergraph/shared/graphql/subgraph-service';
import type { ProductConfig } from './config.js';
import type { ProductContext } from './context.js';
import { seedDemoCatalog } from './domain/seed.js';
import { entities } from './entities/index.js';
import { CATALOG_STREAM, INVENTORY_STREAM, SOURCE } from './events/contracts/published.js';
import { eventHandlers } from './events/handlers/index.js';
import { migrations } from './migrations/index.js';
import { createSchema } from './schema/index.js';
import { createLoaders } from './schema/loaders.js';

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
      createContext: (base, em) => ({ ...base, em, loaders: createLoaders(em) }),
    },
    config,
    options,
  );
}
