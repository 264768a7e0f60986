import type { RequestContext } from '@commerce-supergraph/shared/auth/context';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CreditLoaders } from './schema/loaders.js';

/** Per request: a forked EntityManager and fresh loaders, so no state leaks between requests. */
export interface CreditContext extends RequestContext {
  em: EntityManager;
  loaders: CreditLoaders;
}
