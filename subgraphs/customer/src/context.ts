import type { RequestContext } from '@commerce-supergraph/shared/auth/context';
import type { TokenSigner } from '@commerce-supergraph/shared/auth/jwt';
import type { RevocationList } from '@commerce-supergraph/shared/auth/revocations';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PasswordResetSettings } from './domain/password-reset.js';
import type { AccountGuards } from './domain/registration.js';
import type { CustomerLoaders } from './schema/loaders.js';

/** Per request: a forked EntityManager and fresh loaders, so no state leaks between requests. */
export interface CustomerContext extends RequestContext {
  em: EntityManager;
  loaders: CustomerLoaders;
  /** Issues tokens on login and registration: only this subgraph holds a private key. */
  signer: TokenSigner;
  /** Shared by every request of this instance: the throttle, the password hashing bound, the national id keys. */
  guards: AccountGuards;
  /** Where reset tokens are sent and how long they work. */
  passwordReset: PasswordResetSettings;
  /** This instance's revocation list: a revocation counts here from its commit, before NATS brings it back. */
  revocations: RevocationList;
}
