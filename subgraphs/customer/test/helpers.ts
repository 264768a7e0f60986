import { testDatabaseName } from '@commerce-supergraph/shared/testing/database';
import { type CustomerConfig, readCustomerConfig } from '../src/config.js';

export const TEST_GATEWAY_SECRET = 'test-gateway-secret';

/** A customer subgraph configuration on a free port and a database of its own. */
export function testCustomerConfig(env: Record<string, string> = {}): CustomerConfig {
  return readCustomerConfig({
    NODE_ENV: 'test',
    CUSTOMER_PORT: '0',
    CUSTOMER_DB_NAME: testDatabaseName('customer'),
    GATEWAY_SECRET: TEST_GATEWAY_SECRET,
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: 'admin-password-for-tests',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    ...env,
  });
}
