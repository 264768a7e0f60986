import { randomUUID } from 'node:crypto';
import { type Orm } from '@commerce-supergraph/shared/db/orm';
import {
  openTestDatabase as openSharedTestDatabase,
  type TestDatabase,
  testDatabaseName,
} from '@commerce-supergraph/test-support/database';
import { testTokens as sharedTestTokens, testSubgraphEnv } from '@commerce-supergraph/test-support/subgraph';
import { type ProductConfig, readProductConfig } from '../src/config.js';
import { createProduct, type NewProduct } from '../src/domain/catalog.js';
import type { ReserveOutcome } from '../src/domain/inventory.js';
import { reserve } from '../src/domain/reserve.js';
import { entities, type Product } from '../src/entities/index.js';
import { migrations } from '../src/migrations/index.js';

export { TEST_GATEWAY_SECRET } from '@commerce-supergraph/test-support/subgraph';

/** A product subgraph configuration on a free port and a database of its own. */
export function testProductConfig(env: Record<string, string> = {}): ProductConfig {
  return readProductConfig({
    ...testSubgraphEnv('PRODUCT', 'product'),
    ...env,
  });
}

/** Tokens as the customer subgraph would issue them (same secret, issuer and audience). */
export async function testTokens(config: ProductConfig) {
  const tokens = sharedTestTokens(config.jwt);
  return { admin: await tokens.admin(), customer: await tokens.customer() };
}

export type { TestDatabase } from '@commerce-supergraph/test-support/database';

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
  const result = await createProduct(orm.em.fork(), input, cause());
  if (!result.ok) throw new Error(`test product refused: ${JSON.stringify(result.errors)}`);
  return result.value;
}

/** A cause as a test request would give it. */
export const cause = () => ({ correlationId: `test-${randomUUID()}` });

/**
 * reserve with its outcome, for a call that commits its own unit of work: the outcome is known once
 * that commit is answered (inside another transaction it is known only after that one's commit).
 */
export async function reserveNow(...args: Parameters<typeof reserve>): Promise<ReserveOutcome> {
  return (await reserve(...args)).outcome;
}
