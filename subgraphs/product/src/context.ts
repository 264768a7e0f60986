import type { RequestContext } from '@commerce-supergraph/shared/auth/context';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AwaitAnnounced } from './domain/catalog.js';
import type { ProductLoaders } from './schema/loaders.js';

/** Per request: a forked EntityManager and fresh loaders, so no state leaks between requests. */
export interface ProductContext extends RequestContext {
  em: EntityManager;
  loaders: ProductLoaders;
  /** Catalog mutations answer once their event is on the bus (bounded; see AwaitAnnounced). */
  announced: AwaitAnnounced;
}
