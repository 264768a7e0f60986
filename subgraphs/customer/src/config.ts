import { ConfigReader, type Env } from '@commerce-supergraph/shared/config';
import { type CommonConfig, readCommonConfig } from '@commerce-supergraph/shared/service-config';
import type { AdminAccount } from './domain/admin.js';
import type { ThrottleSettings } from './domain/login-throttle.js';

export interface CustomerConfig extends CommonConfig {
  port: number;
  dbName: string;
  admin: AdminAccount;
  loginThrottle: ThrottleSettings;
  /** Variables that fell back to development defaults (logged at start-up). */
  devDefaultsUsed: string[];
}

export function readCustomerConfig(env: Env = process.env): CustomerConfig {
  const reader = new ConfigReader(env);
  const config: CustomerConfig = {
    ...readCommonConfig(reader, env),
    port: reader.int('CUSTOMER_PORT', { default: 4001, min: 0, max: 65_535 }),
    dbName: reader.string('CUSTOMER_DB_NAME', { default: 'customer_db' }),
    admin: {
      email: reader.string('ADMIN_EMAIL', { default: 'admin@example.com' }),
      password: reader.string('ADMIN_PASSWORD', { devDefault: 'admin-password-change-me' }),
    },
    loginThrottle: {
      maxPerEmail: reader.int('LOGIN_MAX_FAILURES_PER_EMAIL', { default: 5, min: 1 }),
      maxPerClient: reader.int('LOGIN_MAX_FAILURES_PER_CLIENT', { default: 50, min: 1 }),
      windowSeconds: reader.int('LOGIN_WINDOW_SECONDS', { default: 900, min: 1 }),
    },
    devDefaultsUsed: reader.devDefaultsUsed,
  };
  reader.done();
  return config;
}
