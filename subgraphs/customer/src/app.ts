import { createTokenSigner } from '@commerce-supergraph/shared/auth/jwt';
import {
  createSubgraphService,
  type SubgraphOptions,
  type SubgraphService,
} from '@commerce-supergraph/shared/graphql/subgraph-service';
import type { CustomerConfig } from './config.js';
import type { CustomerContext } from './context.js';
import { ensureAdmin } from './domain/admin.js';
import { LoginThrottle } from './domain/login-throttle.js';
import { LoggingNotifier, type Notifier } from './domain/notifier.js';
import { entities } from './entities/index.js';
import { CUSTOMER_STREAM, SOURCE } from './events/contracts/published.js';
import { eventHandlers } from './events/handlers/index.js';
import { migrations } from './migrations/index.js';
import { createSchema } from './schema/index.js';
import { createLoaders } from './schema/loaders.js';

export interface CustomerSubgraphOptions extends SubgraphOptions {
  /** Where notifications are sent; logged by default, until a mail transport is plugged in. */
  notifier?: Notifier;
}

export function createCustomerSubgraph(config: CustomerConfig, options: CustomerSubgraphOptions = {}): SubgraphService {
  const throttle = new LoginThrottle(config.loginThrottle);
  const signer = createTokenSigner({ ...config.jwt, signingKey: config.signingKey });
  return createSubgraphService<CustomerContext>(
    {
      name: SOURCE,
      entities,
      migrations,
      streams: [CUSTOMER_STREAM],
      createSchema,
      eventHandlers: ({ log }) => eventHandlers(options.notifier ?? new LoggingNotifier(log)),
      async prepare({ orm, log }) {
        log.info({ jwtKeyId: signer.kid }, 'signing tokens');
        await ensureAdmin(orm.em.fork(), config.admin, log);
      },
      createContext: (base, em) => ({ ...base, em, loaders: createLoaders(em), signer, throttle }),
    },
    config,
    options,
  );
}
