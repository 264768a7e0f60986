import {
  CancelOrderDocument,
  DashboardDocument,
  MyOrdersDocument,
  type MyOrdersQuery,
  OrderDocument,
  PayOrderDocument,
  PlaceOrderDocument,
} from '@commerce-supergraph/storefront/gql';
import {
  errorCodes,
  type GraphQLResponse,
  postGraphQL,
  type Variables,
} from '@commerce-supergraph/test-support/graphql-client';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  cancelOrder,
  confirmedOrder,
  createProduct,
  orderOf,
  payOrder,
  placed,
  registerShopper,
  type Shopper,
} from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

let graph: TestSupergraph;
let admin: string;
let owner: Shopper;
let stranger: Shopper;
let product: { id: string; name: string };

beforeAll(async () => {
  graph = await startSupergraph();
  admin = await adminToken(graph);
  [owner, stranger] = [await registerShopper(graph, 'owner'), await registerShopper(graph, 'stranger')];
  product = await createProduct(graph, admin, owner, { name: 'Teapot', price: '30.00', initialStock: 100 });
});
afterAll(() => graph?.stop());

/** What someone holding the gateway secret could send to the order subgraph directly. */
const direct = (query: string, variables: Record<string, unknown>, token?: string) =>
  postGraphQL(graph.subgraphUrls.order as string, query, variables, { token, gatewaySecret: 'e2e-gateway-secret' });
const ORDER_ENTITY = `query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Order { id status total { amount } customer { id } } } }`;
const CUSTOMER_ORDERS = `query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Customer { id orders(first: 5) { totalCount edges { node { id } } } } } }`;

describe('authentication', () => {
  it('answers every order operation without a token with UNAUTHENTICATED', async () => {
    const order = await placed(graph, owner, [{ productId: product.id, quantity: 1 }]);
    // Each operation with its variables, sent without a token.
    const call =
      <TData, TVariables extends Variables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables) =>
      () =>
        graph.send(document, variables);
    const calls: [string, () => Promise<GraphQLResponse<unknown>>][] = [
      ['PlaceOrder', call(PlaceOrderDocument, { input: { items: [{ productId: product.id, quantity: 1 }] } })],
      ['Order', call(OrderDocument, { id: order.id })],
      ['MyOrders', call(MyOrdersDocument, {})],
      ['PayOrder', call(PayOrderDocument, { input: { orderId: order.id, paymentToken: 'tok_visa' } })],
      ['CancelOrder', call(CancelOrderDocument, { id: order.id })],
      ['Dashboard', call(DashboardDocument, {})],
    ];
    for (const [name, send] of calls) {
      const res = await send();
      expect(errorCodes(res), name).toContain('UNAUTHENTICATED');
      expect(JSON.stringify(res.data ?? null), name).not.toContain(order.id);
    }
  });
});

describe("another customer's order", () => {
  it('is null with FORBIDDEN through order(id), and neither payable nor cancellable', async () => {
    const order = await confirmedOrder(graph, owner, [{ productId: product.id, quantity: 1 }]);
    const read = await graph.send(OrderDocument, { id: order.id }, stranger.token);
    expect(read.data?.order).toBeNull();
    expect(errorCodes(read)).toEqual(['FORBIDDEN']);
    const pay = await payOrder(graph, stranger, order.id, 'tok_visa');
    expect(pay.data?.payOrder ?? null).toBeNull();
    expect(errorCodes(pay)).toEqual(['FORBIDDEN']);
    const cancel = await cancelOrder(graph, stranger, order.id);
    expect(cancel.data?.cancelOrder ?? null).toBeNull();
    expect(errorCodes(cancel)).toEqual(['FORBIDDEN']);
    expect((await orderOf(graph, owner, order.id)).status).toBe('CONFIRMED');
    // An admin reaches every order.
    const asAdmin = await graph.send(OrderDocument, { id: order.id }, admin);
    expect(asAdmin.data?.order).toMatchObject({ id: order.id, customer: { id: owner.id } });
  });

  it('is not reachable through _entities on the order subgraph, even with the gateway secret', async () => {
    const order = await placed(graph, owner, [{ productId: product.id, quantity: 2 }]);
    const reps = [{ __typename: 'Order', id: order.id }];
    const theirs = await direct(ORDER_ENTITY, { reps }, stranger.token);
    expect(theirs.data?._entities).toEqual([null]);
    expect(errorCodes(theirs)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(theirs)).not.toContain('60.00');
    const own = await direct(ORDER_ENTITY, { reps }, owner.token);
    expect(own.data?._entities).toEqual([
      { id: order.id, status: expect.any(String), total: { amount: '60.00' }, customer: { id: owner.id } },
    ]);
    const orders = await direct(CUSTOMER_ORDERS, { reps: [{ __typename: 'Customer', id: owner.id }] }, stranger.token);
    expect(orders.data?._entities).toEqual([null]);
    expect(errorCodes(orders)).toEqual(['FORBIDDEN']);
  });
});

describe('MyOrders and Dashboard', () => {
  it('pages through my orders newest first, without overlap, and shows nobody else’s', async () => {
    const mine = await registerShopper(graph, 'pager');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await placed(graph, mine, [{ productId: product.id, quantity: 1 }])).id);
    await placed(graph, stranger, [{ productId: product.id, quantity: 1 }]);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const res: GraphQLResponse<MyOrdersQuery> = await graph.send(MyOrdersDocument, { first: 2, after }, mine.token);
      expect(res.errors).toBeUndefined();
      const orders = res.data?.me?.orders;
      if (!orders) throw new Error(`no orders: ${JSON.stringify(res.data)}`);
      expect(orders.totalCount).toBe(5);
      seen.push(...orders.edges.map((e) => e.node.id));
      expect(orders.pageInfo.hasNextPage).toBe(page < 2);
      after = orders.pageInfo.endCursor ?? null;
    }
    expect(seen).toEqual([...ids].reverse());
    const bad = await graph.send(MyOrdersDocument, { first: 101 }, mine.token);
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
  });

  it('reads customer, credit status, orders and products in one Dashboard request', async () => {
    const shopper = await registerShopper(graph, 'dashboard');
    const order = await confirmedOrder(graph, shopper, [{ productId: product.id, quantity: 3 }]);
    const res = await graph.send(DashboardDocument, {}, shopper.token);
    expect(res.errors).toBeUndefined();
    expect(res.data?.me).toMatchObject({
      id: shopper.id,
      name: 'Order dashboard',
      creditStatus: { score: 650, band: 'FAIR' },
      orders: {
        totalCount: 1,
        edges: [
          {
            node: {
              id: order.id,
              status: 'CONFIRMED',
              total: { amount: '90.00', currencyCode: 'USD' },
              items: [{ quantity: 3, product: { id: product.id, name: 'Teapot', price: { amount: '30.00' } } }],
            },
          },
        ],
      },
    });
  });
});
