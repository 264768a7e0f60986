import { ConfigReader, type Env } from '@commerce-supergraph/shared/config';
import { readSubgraphConfig, type SubgraphConfig } from '@commerce-supergraph/shared/service-config';
import type { AdminAccount } from './domain/admin.js';
import type { PasswordHashingLimits } from './domain/password-hashing.js';
import type { ThrottleSettings } from './domain/throttle.js';

export interface CustomerConfig extends SubgraphConfig {
  admin: AdminAccount;
  throttle: ThrottleSettings;
  passwordHashing: PasswordHashingLimits;
}

export function readCustomerConfig(env: Env = process.env): CustomerConfig {
  const reader = new ConfigReader(env);
  const config: CustomerConfig = {
    ...readSubgraphConfig(reader, { prefix: 'CUSTOMER', port: 4001, dbName: 'customer_db' }, env),
    admin: {
      email: reader.string('ADMIN_EMAIL', { default: 'admin@example.com' }),
      password: reader.string('ADMIN_PASSWORD', { devDefault: 'admin-password-change-me' }),
    },
    throttle: {
      login: {
        maxPerEmail: reader.int('LOGIN_MAX_FAILURES_PER_EMAIL', { default: 5, min: 1 }),
        maxPerClient: reader.int('LOGIN_MAX_FAILURES_PER_CLIENT', { default: 50, min: 1 }),
        windowSeconds: reader.int('LOGIN_WINDOW_SECONDS', { default: 900, min: 1 }),
      },
      registration: {
        maxPerClient: reader.int('REGISTRATION_MAX_PER_CLIENT', { default: 20, min: 1 }),
        windowSeconds: reader.int('REGISTRATION_WINDOW_SECONDS', { default: 3600, min: 1 }),
      },
    },
    passwordHashing: {
      maxConcurrent: reader.int('PASSWORD_HASHING_MAX_CONCURRENT', { default: 4, min: 1, max: 256 }),
      maxQueued: reader.int('PASSWORD_HASHING_MAX_QUEUED', { default: 32, min: 0, max: 100_000 }),
      maxWaitMs: reader.int('PASSWORD_HASHING_MAX_WAIT_MS', { default: 2000, min: 1, max: 60_000 }),
    },
  };
  reader.done();
  return config;
}
