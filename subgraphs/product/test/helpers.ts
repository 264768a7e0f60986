import { randomUUID } from 'node:crypto';
import { createJwtService } from '@commerce-supergraph/shared/auth/jwt';
import { type Orm } from '@commerce-supergraph/shared/db/orm';
import {
  openTestDatabase as openSharedTestDatabase,
  type TestDatabase,
  testDatabaseName,
} from '@commerce-supergraph/shared/testing/database';
import { type ProductConfig, readProductConfig } from '../src/config.js';
import { createProduct, type NewProduct } from '../src/domain/catalog.js';
import { entities, type Product } from '../src/entities/index.js';
import { migrations } from '../src/migrations/index.js';

export const TEST_GATEWAY_SECRET = 'test-gateway-secret';

/** A product subgraph configuration on a free port and a database of its own. */
export function testProductConfig(env: Record<string, string> = {}): ProductConfig {
  return readProductConfig({
    NODE_ENV: 'test',
    PRODUCT_PORT: '0',
    PRODUCT_DB_NAME: testDatabaseName('product'),
    GATEWAY_SECRET: TEST_GATEWAY_SECRET,
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    ...env,
  });
}

/** Tokens as the customer subgraph would issue them (same secret, issuer and audience). */
export async function testTokens(config: ProductConfig) {
  const jwt = createJwtService(config.jwt);
  return {
    admin: await jwt.issue({ customerId: randomUUID(), roles: ['customer', 'admin'] }),
    customer: await jwt.issue({ customerId: randomUUID(), roles: ['customer'] }),
  };
}

export type { TestDatabase } from '@commerce-supergraph/shared/testing/database';

/** A migrated product database of its own, without a server: for the domain tests. */
export const openTestDatabase = (dbName = testDatabaseName('product')): Promise<TestDatabase> =>
  openSharedTestDatabase({ dbName, entities, migrations });

let skus = 0;

/** Creates a product through the domain (as the admin mutation does) and returns it. */
export async function makeProduct(orm: Orm, fields: Partial<NewProduct> = {}): Promise<Product> {
  skus += 1;
  const input = {
    sku: `T-${process.pid}-${skus}-${randomUUID().slice(0, 8)}`,
    name: `Test ${skus}`,
    price: '9.99',
    ...fields,
  };
  const result = await createProduct(orm.em.fork(), input, { requestId: randomUUID() });
  if (!result.ok) throw new Error(`test product refused: ${JSON.stringify(result.errors)}`);
  return result.value;
}
