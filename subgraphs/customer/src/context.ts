import type { RequestContext } from '@commerce-supergraph/shared/auth/context';
import type { JwtService } from '@commerce-supergraph/shared/auth/jwt';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { LoginThrottle } from './domain/login-throttle.js';
import type { CustomerLoaders } from './schema/loaders.js';

/** Per request: a forked EntityManager and fresh loaders, so no state leaks between requests. */
export interface CustomerContext extends RequestContext {
  em: EntityManager;
  loaders: CustomerLoaders;
  jwt: JwtService;
  throttle: LoginThrottle;
}
