import { randomUUID } from 'node:crypto';
import { ProductDocument } from '@commerce-supergraph/storefront/gql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, createProduct, placeOrder, registerShopper, type Shopper } from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

let graph: TestSupergraph;
let shopper: Shopper;
let lamp: { id: string; name: string };
let pins: { id: string; name: string };

beforeAll(async () => {
  graph = await startSupergraph();
  const admin = await adminToken(graph);
  shopper = await registerShopper(graph, 'outage');
  lamp = await createProduct(graph, admin, shopper, { name: 'Outage Lamp', price: '12.50' });
  pins = await createProduct(graph, admin, shopper, { name: 'Outage Pins', price: '0.20' });
});
afterAll(() => graph?.stop());

/**
 * What the client is told while a subgraph is down, wherever it lands in the response (outside
 * production the gateway adds `serviceName` and a stack trace).
 */
const unavailable = (path: (string | number)[], retryable: boolean) =>
  expect.objectContaining({
    message: 'Service temporarily unavailable',
    path,
    extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', retryable, retryAfterSeconds: 5 }),
  });

function expectNoSubgraphAddress(response: unknown) {
  const text = JSON.stringify(response);
  for (const url of Object.values(graph.subgraphUrls)) expect(text).not.toContain(new URL(url).host);
  expect(text).not.toMatch(/ECONNREFUSED|fetch failed/);
}

/** The shopper's orders as the order subgraph has them (no product field: readable during the outage). */
async function storedOrders(): Promise<{ id: string; status: string }[]> {
  const res = await graph.send(
    `query { me { orders(first: 50) { edges { node { id status } } } } }`,
    {},
    shopper.token,
  );
  expect(res.errors).toBeUndefined();
  return res.data?.me.orders.edges.map((edge: { node: { id: string; status: string } }) => edge.node);
}

describe('while the product subgraph is down', () => {
  beforeAll(() => graph.stopProduct());
  afterAll(() => graph.startProduct());

  it('PlaceOrder, the storefront operation, returns the stored order whole: the order subgraph provides product names', async () => {
    const res = await placeOrder(graph, shopper, [{ productId: lamp.id, quantity: 2 }], randomUUID());
    expect(res.errors).toBeUndefined();
    expect(res.data?.placeOrder.userErrors).toEqual([]);
    expect(res.data?.placeOrder.order).toMatchObject({
      status: 'PENDING',
      total: { amount: '25.00', currencyCode: 'USD' },
      items: [
        {
          quantity: 2,
          unitPrice: { amount: '12.50', currencyCode: 'USD' },
          lineTotal: { amount: '25.00', currencyCode: 'USD' },
          product: { id: lamp.id, name: 'Outage Lamp' },
        },
      ],
    });
    expect((await storedOrders()).map((order) => order.id)).toContain(res.data?.placeOrder.order?.id);
  });

  it('a placeOrder that also asks the catalog returns the stored order, with SERVICE_UNAVAILABLE at each product', async () => {
    const res = await graph.send(
      `mutation ($input: PlaceOrderInput!) {
        placeOrder(input: $input) {
          order { id status total { amount } items { productName quantity product { id imageUrl description } } }
          userErrors { code }
        }
      }`,
      {
        input: {
          items: [
            { productId: lamp.id, quantity: 1 },
            { productId: pins.id, quantity: 5 },
          ],
        },
      },
      shopper.token,
    );
    const order = res.data?.placeOrder.order;
    expect(order).toEqual({
      id: expect.any(String),
      status: 'PENDING',
      total: { amount: '13.50' },
      items: [
        { productName: 'Outage Lamp', quantity: 1, product: { id: lamp.id, imageUrl: null, description: null } },
        { productName: 'Outage Pins', quantity: 5, product: { id: pins.id, imageUrl: null, description: null } },
      ],
    });
    // The order was placed: sending the mutation again as it is would place a second one.
    expect(res.errors).toEqual([
      unavailable(['placeOrder', 'order', 'items', 0, 'product'], false),
      unavailable(['placeOrder', 'order', 'items', 1, 'product'], false),
    ]);
    expectNoSubgraphAddress(res);
    expect((await storedOrders()).map((stored) => stored.id)).toContain(order.id);
  });

  it('a non-null catalog field nulls the order (the schema says so), but the error says the order may be placed', async () => {
    const before = (await storedOrders()).length;
    const res = await graph.send(
      `mutation ($input: PlaceOrderInput!) {
        placeOrder(input: $input) { order { id status items { product { id available } } } userErrors { code } }
      }`,
      { input: { items: [{ productId: lamp.id, quantity: 1 }] } },
      shopper.token,
    );
    expect(res.data?.placeOrder).toEqual({ order: null, userErrors: [] });
    expect(res.errors).toEqual([unavailable(['placeOrder', 'order', 'items', 0, 'product'], false)]);
    expect(await storedOrders()).toHaveLength(before + 1);
  });

  it('a query whose only subgraph is down answers SERVICE_UNAVAILABLE with a retry hint at its field', async () => {
    const res = await graph.send(ProductDocument, { id: lamp.id });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ product: null });
    expect(res.errors).toEqual([unavailable(['product'], true)]);
    expectNoSubgraphAddress(res);
  });
});

describe('once the product subgraph is back', () => {
  it('serves the catalog again', async () => {
    const res = await graph.send(ProductDocument, { id: lamp.id });
    expect(res.errors).toBeUndefined();
    expect(res.data?.product).toMatchObject({ id: lamp.id, name: 'Outage Lamp' });
  });
});
