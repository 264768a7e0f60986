import {
  createSubgraphService,
  type SubgraphOptions,
  type SubgraphService,
} from '@commerce-supergraph/shared/graphql/subgraph-service';
import type { CustomerConfig } from './config.js';
import type { CustomerContext } from './context.js';
import { ensureAdmin } from './domain/admin.js';
import { LoginThrottle } from './domain/login-throttle.js';
import { NotificationDispatcher, type NotificationDispatcherOptions } from './domain/notification-dispatcher.js';
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
  /** The dispatcher's pace, e.g. a faster sweep and retry in tests. */
  notifications?: Omit<NotificationDispatcherOptions, 'log'>;
}

export function createCustomerSubgraph(config: CustomerConfig, options: CustomerSubgraphOptions = {}): SubgraphService {
  const throttle = new LoginThrottle(config.loginThrottle);
  return createSubgraphService<CustomerContext>(
    {
      name: SOURCE,
      entities,
      migrations,
      streams: [CUSTOMER_STREAM],
      createSchema,
      eventHandlers: () => eventHandlers(),
      async prepare({ orm, log }) {
        await ensureAdmin(orm.em.fork(), config.admin, log);
        // Notifications are stored by the handlers and sent from here, after their commit.
        const notifier = options.notifier ?? new LoggingNotifier(log);
        const dispatcher = new NotificationDispatcher(orm, notifier, { ...options.notifications, log });
        dispatcher.start();
        return () => dispatcher.stop();
      },
      createContext: (base, em, { jwt }) => ({ ...base, em, loaders: createLoaders(em), jwt, throttle }),
    },
    config,
    options,
  );
}
