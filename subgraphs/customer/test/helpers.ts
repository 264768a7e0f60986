import { testSubgraphEnv } from '@commerce-supergraph/test-support/subgraph';
import { TEST_SIGNING_ENV } from '@commerce-supergraph/test-support/tokens';
import { type CustomerConfig, readCustomerConfig } from '../src/config.js';

export { TEST_GATEWAY_SECRET } from '@commerce-supergraph/test-support/subgraph';

/** A customer subgraph configuration on a free port and a database of its own. */
export function testCustomerConfig(env: Record<string, string> = {}): CustomerConfig {
  return readCustomerConfig({
    ...testSubgraphEnv('CUSTOMER', 'customer'),
    ...TEST_SIGNING_ENV,
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: 'admin-password-for-tests',
    // Every test request comes from 127.0.0.1: the registration limit has tests of its own.
    REGISTRATION_MAX_PER_CLIENT: '1000',
    ...env,
  });
}
