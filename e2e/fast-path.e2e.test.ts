import { randomBytes, randomUUID } from 'node:crypto';
import { DashboardDocument, ProductsDocument, UpdateProductDocument } from '@commerce-supergraph/storefront/gql';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, confirmedOrder, createProduct, registerShopper, type Shopper } from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

/**
 * Issue #10: subgraph fetches are collapsed while in flight and anonymous catalog answers cached.
 * Neither may ever hand one caller's answer to another, and a price change must show within 1 s.
 * The cache TTL is a minute here, so only the change event can make a new price visible in time.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CACHE = { GATEWAY_PUBLIC_CACHE_TTL_MS: '60000' };

let graph: TestSupergraph;
let admin: string;
let alice: Shopper;
let bob: Shopper;
let products: { id: string; name: string }[];
/** A gateway whose cache is in Redis, under a key prefix of this run's own. */
let redisGatewayUrl: string;

beforeAll(async () => {
  graph = await startSupergraph({ gatewayEnv: CACHE, countQueries: true });
  admin = await adminToken(graph);
  alice = await registerShopper(graph, 'alice');
  bob = await registerShopper(graph, 'bob');
  products = [];
  for (let n = 0; n < 4; n++) products.push(await createProduct(graph, admin, alice, { initialStock: 100 }));
  // Each customer's orders hold products the other's do not: a crossed answer would show.
  await confirmedOrder(graph, alice, [{ productId: products[0]!.id, quantity: 1 }]);
  await confirmedOrder(graph, alice, [{ productId: products[1]!.id, quantity: 2 }]);
  await confirmedOrder(graph, bob, [{ productId: products[2]!.id, quantity: 3 }]);
  redisGatewayUrl = await graph.startGateway({
    ...CACHE,
    REDIS_URL,
    GATEWAY_CACHE_KEY_PREFIX: `test:fast-path:${randomBytes(6).toString('hex')}:`,
  });
}, 120_000);
afterAll(() => graph?.stop());

interface DashboardOrder {
  node: { items: { quantity: number; product: { id: string } }[] };
}

describe('collapsed and cached subgraph fetches', () => {
  it("never give one customer's Dashboard to another under concurrency", async () => {
    const expected = new Map([
      [alice.token, { id: alice.id, products: [products[1]!.id, products[0]!.id], total: 2 }],
      [bob.token, { id: bob.id, products: [products[2]!.id], total: 1 }],
    ]);
    // Interleaved, all at once: identical fetches for one customer collapse, the two never mix.
    const sent = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? alice : bob)).map(async (shopper) => {
      const res = await graph.send(DashboardDocument, {}, shopper.token);
      return { shopper, res };
    });
    for (const { shopper, res } of await Promise.all(sent)) {
      expect(res.errors).toBeUndefined();
      const want = expected.get(shopper.token)!;
      const me = res.data?.me;
      expect(me?.id).toBe(want.id);
      expect(me?.orders.totalCount).toBe(want.total);
      const seen = me?.orders.edges.flatMap((edge: DashboardOrder) => edge.node.items.map((item) => item.product.id));
      expect(seen?.sort()).toEqual(want.products.sort());
    }
  });

  it('keeps what only an authenticated caller may see out of anonymous answers', async () => {
    // Warm the anonymous cache, then ask as a customer and anonymously at once, many times.
    await graph.send(ProductsDocument, { first: 20 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => graph.send(DashboardDocument, {}, i % 2 ? alice.token : undefined)),
    );
    for (const [i, res] of answers.entries()) {
      if (i % 2) expect(res.data?.me?.id).toBe(alice.id);
      else expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  for (const where of ['in-process', 'Redis'] as const) {
    it(`shows a price change within 1 s with the ${where} cache on`, async () => {
      const url = where === 'Redis' ? redisGatewayUrl : graph.gatewayUrl;
      const product = products[3]!;
      const priceOf = async (requestId = randomUUID()) => {
        const res = await postProducts(url, requestId);
        return res.data?.products.edges.find((edge: { node: { id: string } }) => edge.node.id === product.id)?.node
          .price.amount as string | undefined;
      };
      const before = await priceOf();
      expect(before).toBeDefined();
      // Cached now: the same answer again, and the product subgraph not asked for it.
      const requestId = randomUUID();
      expect(await priceOf(requestId)).toBe(before);
      expect(graph.queries.product!.forRequest(requestId)).toEqual([]);
      const next = where === 'Redis' ? '77.70' : '66.60';
      const changed = await graph.send(UpdateProductDocument, { id: product.id, input: { price: next } }, admin);
      expect(changed.data?.updateProduct.product?.price.amount).toBe(next);
      const started = performance.now();
      let seen = await priceOf();
      while (seen !== next && performance.now() - started < 1000) seen = await priceOf();
      expect(seen, `price after ${Math.round(performance.now() - started)} ms`).toBe(next);
    });
  }
});

/** The first catalog page, as a frontend asks for it, under a request id the query counter can find. */
const postProducts = (url: string, requestId: string) =>
  postGraphQL(url, ProductsDocument, { first: 20 }, { headers: { 'x-request-id': requestId } });
