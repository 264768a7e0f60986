import { ConfigError } from '@commerce-supergraph/shared/config';
import {
  createSubgraphService,
  type SubgraphOptions,
  type SubgraphService,
} from '@commerce-supergraph/shared/graphql/subgraph-service';
import type { OrderConfig } from './config.js';
import type { OrderContext } from './context.js';
import { PlaceOrderAdmission } from './domain/admission.js';
import { ExpirySweeper } from './domain/expiry.js';
import { PlacementGroups } from './domain/placement-groups.js';
import { databaseId } from './domain/price-projection.js';
import { entities } from './entities/index.js';
import { catalogBarrier } from './events/catalog-barrier.js';
import { ORDERS_STREAM, PAYMENTS_STREAM, SOURCE } from './events/contracts/published.js';
import { eventHandlers } from './events/handlers/index.js';
import { projectionConsumerName } from './events/handlers/price-projection.js';
import { registerOrderMetrics } from './metrics.js';
import { migrations } from './migrations/index.js';
import type { PaymentProvider } from './ports/payment-provider.js';
import { SIMULATED, SimulatedPaymentProvider } from './ports/simulated-payment-provider.js';
import { createSchema } from './schema/index.js';
import { createLoaders } from './schema/loaders.js';

export interface OrderSubgraphOptions extends SubgraphOptions {
  /**
   * Payment provider adapters by name, beside the built-in `simulated`; PAYMENT_PROVIDER names the
   * one that charges.
   */
  paymentProviders?: Record<string, PaymentProvider>;
}

/** The provider PAYMENT_PROVIDER names; an unknown name refuses to start, naming the known ones. */
export function selectPaymentProvider(name: string, adapters: Record<string, PaymentProvider> = {}): PaymentProvider {
  const adapter = Object.hasOwn(adapters, name) ? adapters[name] : undefined;
  if (adapter) return adapter;
  if (name === SIMULATED) return new SimulatedPaymentProvider();
  const known = [SIMULATED, ...Object.keys(adapters)].join(', ');
  throw new ConfigError([
    `PAYMENT_PROVIDER "${name.slice(0, 40)}" is not a payment provider of this build; known: ${known}`,
  ]);
}

export function createOrderSubgraph(config: OrderConfig, options: OrderSubgraphOptions = {}): SubgraphService {
  const payments = selectPaymentProvider(config.paymentProvider, options.paymentProviders);
  let catalogRead: ReturnType<typeof catalogBarrier> = () => async () => undefined;
  let admission: PlaceOrderAdmission | undefined;
  let placements: PlacementGroups | undefined;
  return createSubgraphService<OrderContext>(
    {
      name: SOURCE,
      entities,
      migrations,
      streams: [ORDERS_STREAM, PAYMENTS_STREAM],
      createSchema,
      // Consumers attach once NATS and the product subgraph's streams are there; orders wait PENDING till then.
      eventHandlers: ({ orm }) => eventHandlers(orm.em.fork()),
      async prepare({ orm, log, events, metrics }) {
        registerOrderMetrics(metrics, orm);
        admission = new PlaceOrderAdmission(orm, config.admission);
        placements = new PlacementGroups(log);
        if (config.production && config.paymentProvider === SIMULATED) {
          log.warn('PAYMENT_PROVIDER=simulated: payments are simulated and no card is charged');
        }
        catalogRead = catalogBarrier(events, projectionConsumerName(await databaseId(orm.em.fork())));
        const sweeper = new ExpirySweeper(
          orm,
          {
            paymentTimeoutSeconds: config.paymentTimeoutSeconds,
            pendingTimeoutSeconds: config.pendingTimeoutSeconds,
            intervalMs: config.expirySweepMs,
          },
          log,
        );
        sweeper.start();
        return () => sweeper.stop();
      },
      createContext: (base, em) => ({
        ...base,
        em,
        loaders: createLoaders(em),
        payments,
        placeOrderLimits: config.placeOrder,
        admission: admission as PlaceOrderAdmission, // set in prepare, before any request
        placements: placements as PlacementGroups, // set in prepare, as admission
        catalogRead: catalogRead(base.log),
      }),
    },
    config,
    options,
  );
}
