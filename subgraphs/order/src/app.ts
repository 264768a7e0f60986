import {
  createSubgraphService,
  type SubgraphOptions,
  type SubgraphService,
} from '@commerce-supergraph/shared/graphql/subgraph-service';
import type { OrderConfig } from './config.js';
import type { OrderContext } from './context.js';
import { ExpirySweeper } from './domain/expiry.js';
import { entities } from './entities/index.js';
import { ORDERS_STREAM, PAYMENTS_STREAM, SOURCE } from './events/contracts/published.js';
import { eventHandlers } from './events/handlers/index.js';
import { migrations } from './migrations/index.js';
import { BuiltInPaymentProvider } from './ports/built-in-payment-provider.js';
import type { PaymentProvider } from './ports/payment-provider.js';
import { createSchema } from './schema/index.js';
import { createLoaders } from './schema/loaders.js';

export interface OrderSubgraphOptions extends SubgraphOptions {
  /** Where payments are charged; the deterministic built-in provider by default. */
  paymentProvider?: PaymentProvider;
}

export function createOrderSubgraph(config: OrderConfig, options: OrderSubgraphOptions = {}): SubgraphService {
  const payments = options.paymentProvider ?? new BuiltInPaymentProvider();
  return createSubgraphService<OrderContext>(
    {
      name: SOURCE,
      entities,
      migrations,
      streams: [ORDERS_STREAM, PAYMENTS_STREAM],
      createSchema,
      // Consumers attach once NATS and the product subgraph's streams are there; orders wait PENDING till then.
      eventHandlers: ({ orm }) => eventHandlers(orm.em.fork()),
      async prepare({ orm, log }) {
        const sweeper = new ExpirySweeper(
          orm,
          { timeoutSeconds: config.paymentTimeoutSeconds, intervalMs: config.expirySweepMs },
          log,
        );
        sweeper.start();
        return () => sweeper.stop();
      },
      createContext: (base, em) => ({ ...base, em, loaders: createLoaders(em), payments }),
    },
    config,
    options,
  );
}
