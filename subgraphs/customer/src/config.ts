import { ConfigReader, type Env } from '@commerce-supergraph/shared/config';
import { readSubgraphConfig, type SubgraphConfig } from '@commerce-supergraph/shared/service-config';
import type { AdminAccount } from './domain/admin.js';
import type { ThrottleSettings } from './domain/login-throttle.js';

export interface CustomerConfig extends SubgraphConfig {
  admin: AdminAccount;
  loginThrottle: ThrottleSettings;
}

export function readCustomerConfig(env: Env = process.env): CustomerConfig {
  const reader = new ConfigReader(env);
  const config: CustomerConfig = {
    ...readSubgraphConfig(reader, { prefix: 'CUSTOMER', port: 4001, dbName: 'customer_db' }, env),
    admin: {
      email: reader.string('ADMIN_EMAIL', { default: 'admin@example.com' }),
      password: reader.string('ADMIN_PASSWORD', { devDefault: 'admin-password-change-me' }),
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
