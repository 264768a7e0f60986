import {
  createSubgraphService,
  type SubgraphOptions,
  type SubgraphService,
} from '@commerce-supergraph/shared/graphql/subgraph-service';
import type { CreditStatusConfig } from './config.js';
import type { CreditContext } from './context.js';
import { entities } from './entities/index.js';
import { CREDIT_STREAM, SOURCE } from './events/contracts/published.js';
import { eventHandlers } from './events/handlers/index.js';
import { migrations } from './migrations/index.js';
import { createSchema } from './schema/index.js';
import { createLoaders } from './schema/loaders.js';

export function createCreditStatusSubgraph(config: CreditStatusConfig, options: SubgraphOptions = {}): SubgraphService {
  return createSubgraphService<CreditContext>(
    {
      name: SOURCE,
      entities,
      migrations,
      streams: [CREDIT_STREAM],
      createSchema,
      // Consumers attach once NATS (and the streams of the services they listen to) are there.
      eventHandlers,
      createContext: (base, em) => ({ ...base, em, loaders: createLoaders(em) }),
    },
    config,
    options,
  );
}
