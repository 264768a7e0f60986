import { testDatabaseName } from './database.js';
import { TEST_JWT_ENV } from './tokens.js';

export { testTokens } from './tokens.js';

/** What tests send as the gateway when they call a subgraph directly. */
export const TEST_GATEWAY_SECRET = 'test-gateway-secret';

/**
 * The environment of a subgraph under test: a free port (`<PREFIX>_PORT`), a database of its own
 * (`<PREFIX>_DB_NAME`), the test gateway secret, the test key to verify tokens with, and CI's
 * DATABASE_URL when it sets one.
 */
export function testSubgraphEnv(prefix: string, dbPrefix: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    [`${prefix}_PORT`]: '0',
    [`${prefix}_DB_NAME`]: testDatabaseName(dbPrefix),
    GATEWAY_SECRET: TEST_GATEWAY_SECRET,
    ...TEST_JWT_ENV,
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  };
}
