import type { RequestContext } from '@commerce-supergraph/shared/auth/context';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PlaceOrderAdmission } from './domain/admission.js';
import type { PlaceOrderLimits } from './domain/open-order-cap.js';
import type { AwaitCatalog } from './domain/place-order.js';
import type { PlacementGroups } from './domain/placement-groups.js';
import type { PaymentProvider } from './ports/payment-provider.js';
import type { OrderLoaders } from './schema/loaders.js';

/** Per request: a forked EntityManager and fresh loaders, so no state leaks between requests. */
export interface OrderContext extends RequestContext {
  em: EntityManager;
  loaders: OrderLoaders;
  payments: PaymentProvider;
  placeOrderLimits: PlaceOrderLimits;
  /** Back-pressure: placeOrder runs through it (TOO_MANY_REQUESTS when the instance or the saga is full). */
  admission: PlaceOrderAdmission;
  /** placeOrder's transactions: placements that wait at the same time commit together. */
  placements: PlacementGroups;
  /** placeOrder waits on it before pricing, so the catalog's latest answered changes count. */
  catalogRead: AwaitCatalog;
}
