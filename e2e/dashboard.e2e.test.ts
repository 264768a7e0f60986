import { randomUUID } from 'node:crypto';
import { DashboardDocument } from '@commerce-supergraph/storefront/gql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, confirmedOrder, createProduct, registerShopper, type Shopper } from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

const SUBGRAPHS = ['customer', 'credit-status', 'order', 'product'];
let graph: TestSupergraph;
let oneOrder: Shopper;
let twentyOrders: Shopper;

beforeAll(async () => {
  // Twenty unpaid orders for one customer: twice the default open-order cap.
  graph = await startSupergraph({
    countQueries: true,
    orderEnv: { ORDER_MAX_OPEN_ORDERS: '20' },
    // The SQL each subgraph runs is what this file counts: the gateway's catalog cache would answer
    // the product fetch itself (fast-path.e2e.test.ts covers that) and hide an N+1 behind it.
    gatewayEnv: { GATEWAY_PUBLIC_CACHE_TTL_MS: '0' },
  });
  const admin = await adminToken(graph);
  oneOrder = await registerShopper(graph, 'one-order');
  twentyOrders = await registerShopper(graph, 'twenty-orders');
  const products = [];
  for (let n = 0; n < 6; n++) products.push(await createProduct(graph, admin, oneOrder, { initialStock: 100 }));
  await confirmedOrder(graph, oneOrder, [{ productId: products[0]!.id, quantity: 1 }]);
  // Two products a line pair, rotating, so the five orders on the Dashboard show six different products.
  for (let n = 0; n < 20; n++) {
    const lines = [products[n % 6]!, products[(n + 1) % 6]!].map((p) => ({ productId: p.id, quantity: 1 }));
    await confirmedOrder(graph, twentyOrders, lines);
  }
}, 120_000);
afterAll(() => graph?.stop());

/** Sends Dashboard with a request id of its own and returns how many SQL statements each subgraph ran for it. */
async function dashboardQueries(shopper: Shopper) {
  const requestId = randomUUID();
  const res = await graph.send(DashboardDocument, {}, shopper.token, requestId);
  expect(res.errors).toBeUndefined();
  const counts = Object.fromEntries(SUBGRAPHS.map((name) => [name, graph.queries[name]!.forRequest(requestId).length]));
  return { me: res.data?.me, counts };
}

describe('Dashboard: customer, credit status, orders, items and prices in one request', () => {
  it('returns every part with no errors', async () => {
    const { me } = await dashboardQueries(twentyOrders);
    expect(me).toMatchObject({ id: twentyOrders.id, creditStatus: { score: 650, band: 'FAIR' } });
    expect(me?.orders.totalCount).toBe(20);
    expect(me?.orders.edges).toHaveLength(5);
    const products = me?.orders.edges.flatMap((e: { node: { items: { product: { id: string } }[] } }) =>
      e.node.items.map((item) => item.product.id),
    );
    expect(new Set(products).size).toBe(6);
    expect(me?.orders.edges[0]?.node.items[0]?.product.price.amount).toBe('10.00');
  });

  it('costs each subgraph the same number of SQL statements for 1 order as for 20', async () => {
    // Warm both up first: a credit status may still be created on first read.
    await dashboardQueries(oneOrder);
    await dashboardQueries(twentyOrders);
    const one = await dashboardQueries(oneOrder);
    const twenty = await dashboardQueries(twentyOrders);
    expect(twenty.counts).toEqual(one.counts);
    for (const name of SUBGRAPHS) expect(one.counts[name]).toBeGreaterThan(0);
    console.info(`Dashboard SQL statements per subgraph: ${JSON.stringify(one.counts)}`);
  });
});
