import { randomUUID } from 'node:crypto';
import { type Orm } from '@commerce-supergraph/shared/db/orm';
import { createEnvelope, type EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import { OutboxMessage } from '@commerce-supergraph/shared/events/outbox';
import { createLogger } from '@commerce-supergraph/shared/logging';
import {
  openTestDatabase as openSharedTestDatabase,
  type TestDatabase,
  testDatabaseName,
} from '@commerce-supergraph/test-support/database';
import { testTokens as sharedTestTokens, testSubgraphEnv } from '@commerce-supergraph/test-support/subgraph';
import { afterAll, beforeAll } from 'vitest';
import { type OrderConfig, readOrderConfig } from '../src/config.js';
import { placeOrder } from '../src/domain/place-order.js';
import { applyProductUpserted } from '../src/domain/price-projection.js';
import { confirmOrder } from '../src/domain/transitions.js';
import { entities, Order } from '../src/entities/index.js';
import { ConsumedSubjects, type ProductUpserted } from '../src/events/contracts/consumed.js';
import { migrations } from '../src/migrations/index.js';

export { TEST_GATEWAY_SECRET } from '@commerce-supergraph/test-support/subgraph';

/** The streams other services own, created by the tests standing in for them. */
export const CATALOG_STREAM = { name: 'CATALOG', subjects: ['catalog.>'] };
export const INVENTORY_STREAM = { name: 'INVENTORY', subjects: ['inventory.>'] };

/** An order subgraph configuration on a free port and a database of its own. */
export function testOrderConfig(env: Record<string, string> = {}): OrderConfig {
  return readOrderConfig({
    ...testSubgraphEnv('ORDER', 'order'),
    ...env,
  });
}

/** Tokens as the customer subgraph would issue them (same secret, issuer and audience). */
export const testTokens = (config: OrderConfig) => sharedTestTokens(config.jwt);

export type { TestDatabase } from '@commerce-supergraph/test-support/database';

/** A migrated order database of its own, without a server: for the domain tests. */
export const openTestDatabase = (dbName = testDatabaseName('order')): Promise<TestDatabase> =>
  openSharedTestDatabase({ dbName, entities, migrations });

/** What `twoInstances` opens for a test file: two instances' ORMs on one database, and a priced product. */
export interface TwoInstances {
  orm: Orm;
  other: Orm;
  productId: string;
}

/**
 * For a test file whose placements race across instances: a database of its own, the ORM of a
 * second instance on it, and one product in the projection (priced `price`, if given). Filled in beforeAll.
 */
export function twoInstances(price?: string): TwoInstances {
  const world = {} as TwoInstances;
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await openTestDatabase();
    world.orm = db.orm;
    world.other = await db.openAnother();
    world.productId = (await priceProduct(db.orm, price ? { price } : {})).id;
  });
  afterAll(() => db?.dispose());
  return world;
}

export const cause = () => ({ correlationId: `test-${randomUUID()}` });

export const silentLog = createLogger('order-test', { LOG_LEVEL: 'silent' });

/** An upserted event as the product subgraph publishes it. */
export function upserted(data: Partial<ProductUpserted> = {}, at = new Date()): EventEnvelope<ProductUpserted> {
  const product = {
    id: randomUUID(),
    sku: `SKU-${randomUUID().slice(0, 8)}`,
    name: 'Lamp',
    price: '19.99',
    currency: 'USD',
    active: true,
  };
  return createEnvelope(
    { subject: ConsumedSubjects.productUpserted, data: { ...product, ...data }, source: 'product', correlationId: 't' },
    at,
  );
}

/** Puts a product into the projection, as its upserted event would, and returns its event data. */
export async function priceProduct(orm: Orm, data: Partial<ProductUpserted> = {}): Promise<ProductUpserted> {
  const event = upserted(data);
  await applyProductUpserted(orm.em.fork(), event);
  return event.data;
}

/** Places an order through the domain; the order is PENDING (or CONFIRMED with `confirm`). */
export async function orderOf(orm: Orm, customerId: string, productId: string, options = { confirm: false }) {
  const result = await placeOrder(orm.em.fork(), customerId, { items: [{ productId, quantity: 2 }] }, cause());
  if (!result.ok) throw new Error(`test order refused: ${JSON.stringify(result.errors)}`);
  if (!options.confirm) return result.value;
  if (!(await (await confirmOrder(orm.em.fork(), result.value.id, cause())).confirmed))
    throw new Error('test order not confirmed');
  return orm.em.fork().findOneOrFail(Order, { id: result.value.id });
}

/** The events the outbox holds about one order, oldest first: [subject, data]. */
export async function outboxFor(orm: Orm, orderId: string): Promise<[string, Record<string, unknown>][]> {
  const rows = await orm.em.fork().find(OutboxMessage, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
  return rows
    .filter((row) => (row.payload.data as { orderId?: string }).orderId === orderId)
    .map((row) => [row.subject, row.payload.data as Record<string, unknown>]);
}
