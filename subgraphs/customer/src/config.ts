import type { SigningKey } from '@commerce-supergraph/shared/auth/keys';
import { ConfigReader, type Env } from '@commerce-supergraph/shared/config';
import {
  PUBLISHED_SECRETS,
  readSigningKey,
  readSubgraphConfig,
  type SubgraphConfig,
} from '@commerce-supergraph/shared/service-config';
import type { AdminAccount } from './domain/admin.js';
import type { ThrottleSettings } from './domain/login-throttle.js';

export interface CustomerConfig extends SubgraphConfig {
  /** The private key tokens are issued with: this subgraph is the only one that holds one. */
  signingKey: SigningKey;
  admin: AdminAccount;
  loginThrottle: ThrottleSettings;
}

export function readCustomerConfig(env: Env = process.env): CustomerConfig {
  const reader = new ConfigReader(env);
  const common = readSubgraphConfig(reader, { prefix: 'CUSTOMER', port: 4001, dbName: 'customer_db' }, env);
  const config: CustomerConfig = {
    ...common,
    signingKey: readSigningKey(reader, common.jwt, env),
    admin: {
      email: reader.string('ADMIN_EMAIL', { default: 'admin@example.com' }),
      // Used only when the admin account is created; a secret all the same (it opens every account).
      password: reader.secret('ADMIN_PASSWORD', {
        devDefault: 'admin-password-change-me',
        published: PUBLISHED_SECRETS,
      }),
    },
    loginThrottle: {
      maxPerEmail: reader.int('LOGIN_MAX_FAILURES_PER_EMAIL', { default: 5, min: 1 }),
      maxPerClient: reader.int('LOGIN_MAX_FAILURES_PER_CLIENT', { default: 50, min: 1 }),
      windowSeconds: reader.int('LOGIN_WINDOW_SECONDS', { default: 900, min: 1 }),
    },
  };
  reader.done();
  return config;
}
