import { randomUUID } from 'node:crypto';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { dropDatabase } from '@commerce-supergraph/test-support/database';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { openStandInPublisher, type StandInPublisher } from '@commerce-supergraph/test-support/jetstream';
import { startNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrderSubgraph } from '../src/app.js';
import type { OrderConfig } from '../src/config.js';
import { ConsumedSubjects } from '../src/events/contracts/consumed.js';
import { CATALOG_STREAM, TEST_GATEWAY_SECRET, testOrderConfig, testTokens } from './helpers.js';

const WAIT = { timeout: 20_000, interval: 50 };
// Quantity 0 is always INVALID, so nothing is stored; UNKNOWN_PRODUCT says whether the projection knows the product.
const PROBE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { userErrors { field code } } }`;

const nats = await startNatsServer();
let catalog: StandInPublisher;
const products = Array.from({ length: 5 }, () => randomUUID());

beforeAll(async () => {
  catalog = await openStandInPublisher(nats.url, 'product', [CATALOG_STREAM]);
  for (const [i, id] of products.entries()) {
    await catalog.publish(ConsumedSubjects.productUpserted, {
      id,
      sku: `R-${i}`,
      name: `Rebuilt ${i}`,
      price: '3.00',
      currency: 'USD',
      active: true,
    });
  }
});
afterAll(async () => {
  await catalog?.close();
  await nats.dispose();
});

/** Runs an order subgraph on `config` and waits until its projection prices every product. */
async function pricesEverything(config: OrderConfig): Promise<void> {
  const subgraph = createOrderSubgraph(config);
  const server: RunningServer = await subgraph.start();
  try {
    const token = await testTokens(config).customer(randomUUID());
    const items = products.map((productId) => ({ productId, quantity: 0 }));
    await vi.waitFor(async () => {
      const res = await postGraphQL(
        server.url,
        PROBE,
        { input: { items } },
        { token, gatewaySecret: TEST_GATEWAY_SECRET },
      );
      const codes = res.data?.placeOrder.userErrors.map((e: { code: string }) => e.code);
      expect(codes).toEqual(products.map(() => 'INVALID'));
    }, WAIT);
  } finally {
    await subgraph.stop();
  }
}

describe('the price projection of a new database', () => {
  it('is rebuilt from the whole CATALOG stream, although another database read it all before', async () => {
    const first = testOrderConfig({ NATS_URL: nats.url });
    const second = testOrderConfig({ NATS_URL: nats.url });
    try {
      await pricesEverything(first);
      // The first database's consumer has acked every event; a fixed consumer name would give the new one nothing.
      await pricesEverything(second);
      // And the first database, restarted, still knows them (its consumer resumes, its rows are there).
      await pricesEverything(first);
    } finally {
      await dropDatabase(first.dbName);
      await dropDatabase(second.dbName);
    }
  });
});
