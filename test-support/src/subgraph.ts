import { randomUUID } from 'node:crypto';
import { createJwtService, type JwtSettings } from '@commerce-supergraph/shared/auth/jwt';
import { testDatabaseName } from './database.js';

/** What tests send as the gateway when they call a subgraph directly. */
export const TEST_GATEWAY_SECRET = 'test-gateway-secret';

/**
 * The environment of a subgraph under test: a free port (`<PREFIX>_PORT`), a database of its own
 * (`<PREFIX>_DB_NAME`), the test gateway secret, and CI's DATABASE_URL when it sets one.
 */
export function testSubgraphEnv(prefix: string, dbPrefix: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    [`${prefix}_PORT`]: '0',
    [`${prefix}_DB_NAME`]: testDatabaseName(dbPrefix),
    GATEWAY_SECRET: TEST_GATEWAY_SECRET,
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  };
}

/** Tokens as the customer subgraph would issue them (same secret, issuer and audience). */
export function testTokens(jwt: JwtSettings) {
  const service = createJwtService(jwt);
  return {
    admin: () => service.issue({ customerId: randomUUID(), roles: ['customer', 'admin'] }),
    customer: (customerId: string = randomUUID()) => service.issue({ customerId, roles: ['customer'] }),
  };
}
