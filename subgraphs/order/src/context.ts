import type { RequestContext } from '@commerce-supergraph/shared/auth/context';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PaymentProvider } from './ports/payment-provider.js';
import type { OrderLoaders } from './schema/loaders.js';

/** Per request: a forked EntityManager and fresh loaders, so no state leaks between requests. */
export interface OrderContext extends RequestContext {
  em: EntityManager;
  loaders: OrderLoaders;
  payments: PaymentProvider;
}
