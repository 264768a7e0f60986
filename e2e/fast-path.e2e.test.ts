import { randomBytes, randomUUID } from 'node:crypto';
import { DashboardDocument, ProductsDocument, UpdateProductDocument } from '@commerce-supergraph/storefront/gql';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, confirmedOrder, createProduct, registerShopper, type Shopper } from './support/orders.js';
import { E2E_GATEWAY_SECRET, startSupergraph, type TestSupergraph } from './support/supergraph.js';

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

  it("serves a Dashboard's products from the public catalog cache, alike for every customer", async () => {
    const productsOf = (res: Awaited<ReturnType<typeof dashboard>>) =>
      res.data?.me?.orders.edges.flatMap((edge) => edge.node.items.map((item) => item.product)) ?? [];
    const dashboard = (shopper: Shopper, requestId = randomUUID()) =>
      graph.send(DashboardDocument, {}, shopper.token, requestId);
    const warm = await dashboard(alice);
    expect(
      productsOf(warm)
        .map((product) => product.name)
        .sort(),
    ).toEqual([products[0]!.name, products[1]!.name].sort());
    // Kept now: the next Dashboard needs no product query, and gives the same products.
    const requestId = randomUUID();
    const again = await dashboard(alice, requestId);
    expect(again.errors).toBeUndefined();
    expect(productsOf(again)).toEqual(productsOf(warm));
    expect(graph.queries.product!.forRequest(requestId)).toEqual([]);
    expect(graph.queries.order!.forRequest(requestId).length).toBeGreaterThan(0);
    // Bob's orders hold another product: his fetch is sent, and answers his product only.
    const bobs = await dashboard(bob);
    expect(productsOf(bobs).map((product) => product.id)).toEqual([products[2]!.id]);
  });

  it('relies on the catalog answering Product entities alike for every caller, inactive ones included', async () => {
    // The gateway sends these fetches without the caller's credential (fetch-keys.ts): that is only
    // right while no Product field depends on who asks. Every field, for anonymous, customer and admin.
    const inactive = await createProduct(graph, admin, alice, { initialStock: 1 });
    const off = await graph.send(UpdateProductDocument, { id: inactive.id, input: { active: false } }, admin);
    expect(off.errors).toBeUndefined();
    const reps = [...products, inactive].map(({ id }) => ({ __typename: 'Product', id }));
    const entities = (token?: string) =>
      postGraphQL(
        graph.subgraphUrls.product as string,
        PRODUCT_ENTITIES,
        { reps },
        { token, gatewaySecret: E2E_GATEWAY_SECRET },
      );
    const anonymous = await entities();
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data?._entities).toHaveLength(reps.length);
    expect(anonymous.data?._entities.at(-1)).toMatchObject({ id: inactive.id, active: false });
    for (const token of [alice.token, admin]) {
      const answer = await entities(token);
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual(anonymous.data);
    }
  });

  it("shows a price change in a customer's Dashboard within 1 s", async () => {
    const product = products[0]!;
    const priceInDashboard = async () => {
      const res = await graph.send(DashboardDocument, {}, alice.token);
      const items = res.data?.me?.orders.edges.flatMap((edge) => edge.node.items) ?? [];
      return items.find((item) => item.product.id === product.id)?.product.price.amount;
    };
    const before = await priceInDashboard();
    expect(before).toBeDefined();
    await changePriceAndWatch(product.id, before === '55.50' ? '55.60' : '55.50', priceInDashboard);
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
      await changePriceAndWatch(product.id, where === 'Redis' ? '77.70' : '66.60', () => priceOf());
    });
  }
});

/** Changes a product's price as an admin, then reads it again and again: it must show within 1 s. */
async function changePriceAndWatch(productId: string, next: string, read: () => Promise<string | undefined>) {
  const changed = await graph.send(UpdateProductDocument, { id: productId, input: { price: next } }, admin);
  expect(changed.data?.updateProduct.product?.price.amount).toBe(next);
  const started = performance.now();
  let seen = await read();
  while (seen !== next && performance.now() - started < 1000) seen = await read();
  expect(seen, `price after ${Math.round(performance.now() - started)} ms`).toBe(next);
}

const PRODUCT_ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Product {
  id sku name description imageUrl active createdAt updatedAt price { amount currencyCode } available inStock
  brand { id name } category { id name } } } }`;

/** The first catalog page, as a frontend asks for it, under a request id the query counter can find. */
const postProducts = (url: string, requestId: string) =>
  postGraphQL(url, ProductsDocument, { first: 20 }, { headers: { 'x-request-id': requestId } });
