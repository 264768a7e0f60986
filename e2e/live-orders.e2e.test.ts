import { randomUUID } from 'node:crypto';
import { MyOrderUpdatesDocument, OrderUpdatedDocument } from '@commerce-supergraph/storefront/gql';
import { testTokens } from '@commerce-supergraph/test-support/tokens';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collect, liveClient } from './support/live.js';
import {
  adminToken,
  createProduct,
  payOrder,
  placed,
  registerShopper,
  SAGA_WAIT,
  type Shopper,
} from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

type Update = { orderId: string; status: string; paymentStatus: string | null; occurredAt: string };
const TOKENS = { issuer: 'commerce-supergraph', audience: 'commerce-supergraph-api' };

describe('live order status over graphql-ws', () => {
  let graph: TestSupergraph;
  let admin: string;
  let shopper: Shopper;
  let productId: string;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    graph = await startSupergraph();
    admin = await adminToken(graph);
    shopper = await registerShopper(graph, 'live');
    productId = (await createProduct(graph, admin, shopper, { initialStock: 50 })).id;
  });
  afterAll(async () => {
    await Promise.all(stops.map((stop) => stop()));
    await graph?.stop();
  });

  const subscribeTo = (token: string, orderId: string) => {
    const live = liveClient(graph.gatewayUrl, token);
    stops.push(live.stop);
    const query = live.client.subscribe({ query: OrderUpdatedDocument, variables: { orderId } });
    return { ...collect(query, (data) => data.orderUpdated as Update), live };
  };

  it('pushes PENDING, CONFIRMED and PAID in order, each within 1 s of the change; another customer is refused', async () => {
    // With the product subgraph away the order stays PENDING, so the subscription sees every step.
    await graph.stopProduct();
    const order = await placed(graph, shopper, [{ productId, quantity: 1 }]);
    const mine = subscribeTo(shopper.token, order.id);
    await vi.waitFor(() => expect(mine.received.map((r) => r.value.status)).toEqual(['PENDING']), SAGA_WAIT);

    const other = await registerShopper(graph, 'other');
    const theirs = subscribeTo(other.token, order.id);
    await vi.waitFor(() => expect(theirs.state.error).toBeDefined(), SAGA_WAIT);
    expect(JSON.stringify(theirs.state.error)).toContain('FORBIDDEN');
    expect(theirs.received).toEqual([]);

    await graph.startProduct();
    await vi.waitFor(() => expect(mine.received.map((r) => r.value.status)).toContain('CONFIRMED'), SAGA_WAIT);
    const confirmed = mine.received.find((r) => r.value.status === 'CONFIRMED')!;
    expect(confirmed.at - Date.parse(confirmed.value.occurredAt)).toBeLessThan(1000);

    const paying = Date.now();
    const paid = await payOrder(graph, shopper, order.id, 'tok_visa');
    expect(paid.data?.payOrder.order?.status).toBe('PAID');
    await vi.waitFor(() => expect(mine.received.map((r) => r.value.status)).toContain('PAID'), {
      timeout: 5000,
      interval: 20,
    });
    const pushed = mine.received.find((r) => r.value.status === 'PAID')!;
    expect(pushed.at - paying).toBeLessThan(1000);
    expect(pushed.at - Date.parse(pushed.value.occurredAt)).toBeLessThan(1000);
    expect(pushed.value.paymentStatus).toBe('SUCCEEDED');
    expect(mine.received.map((r) => r.value.status)).toEqual(['PENDING', 'CONFIRMED', 'PAID']);
    expect(mine.state.error).toBeUndefined();
  });

  it("myOrderUpdates carries the caller's orders only, and a declined card's FAILED payment", async () => {
    const other = await registerShopper(graph, 'bystander');
    const watch = (token: string) => {
      const live = liveClient(graph.gatewayUrl, token);
      stops.push(live.stop);
      return collect(live.client.subscribe({ query: MyOrderUpdatesDocument }), (data) => data.myOrderUpdates as Update);
    };
    const mine = watch(shopper.token);
    const theirs = watch(other.token);
    // The subscription is live once the server acknowledged it; a first order proves it for both.
    const warmUp = await placed(graph, other, [{ productId, quantity: 1 }]);
    await vi.waitFor(() => expect(theirs.received.some((r) => r.value.orderId === warmUp.id)).toBe(true), SAGA_WAIT);
    const order = await placed(graph, shopper, [{ productId, quantity: 1 }]);
    await vi.waitFor(() => expect(mine.received.map((r) => r.value.status)).toContain('CONFIRMED'), SAGA_WAIT);
    await payOrder(graph, shopper, order.id, 'tok_chargeDeclined', randomUUID());
    await vi.waitFor(() => expect(mine.received.some((r) => r.value.paymentStatus === 'FAILED')).toBe(true), SAGA_WAIT);
    expect(mine.received.every((r) => r.value.orderId === order.id)).toBe(true);
    expect(theirs.received.every((r) => r.value.orderId === warmUp.id)).toBe(true);
  });

  it('bounds subscriptions per connection and per customer, and runs nothing but subscriptions', async () => {
    const url = await graph.startGateway({ GATEWAY_LIVE_MAX_PER_CONNECTION: '1', GATEWAY_LIVE_MAX_PER_CUSTOMER: '2' });
    const open = () => {
      const live = liveClient(url, shopper.token);
      stops.push(live.stop);
      return live;
    };
    const watch = (live: ReturnType<typeof open>) =>
      collect(live.client.subscribe({ query: MyOrderUpdatesDocument }), (data) => data.myOrderUpdates);
    const first = open();
    const accepted = watch(first);
    const second = watch(first);
    await vi.waitFor(() => expect(JSON.stringify(second.state.error)).toContain('TOO_MANY_REQUESTS'), SAGA_WAIT);
    watch(open());
    const third = watch(open());
    await vi.waitFor(() => expect(JSON.stringify(third.state.error)).toContain('per customer'), SAGA_WAIT);
    expect(accepted.state.error).toBeUndefined();

    const mutation = liveClient(url, shopper.token);
    stops.push(mutation.stop);
    const refused = await mutation.client
      .mutate({ mutation: parse('mutation { cancelOrder(id: "x") { userErrors { code } } }') })
      .catch((error: unknown) => error);
    expect(String(refused)).toContain('Only subscriptions');
  });

  it('closes the connection with 4401 when the token expires', async () => {
    const token = await testTokens({ ...TOKENS, ttlSeconds: 2 }).customer(shopper.id);
    const live = liveClient(graph.gatewayUrl, token);
    stops.push(live.stop);
    const updates = collect(live.client.subscribe({ query: MyOrderUpdatesDocument }), (data) => data.myOrderUpdates);
    await vi.waitFor(() => expect(live.closes).toContain(4401), { timeout: 6000, interval: 50 });
    expect(updates.state.error).toBeDefined();
  });

  it('keeps pushing after NATS restarts: updates resume, none repeated or out of order', async () => {
    await graph.stopProduct();
    const order = await placed(graph, shopper, [{ productId, quantity: 1 }]);
    const mine = subscribeTo(shopper.token, order.id);
    await vi.waitFor(() => expect(mine.received.map((r) => r.value.status)).toEqual(['PENDING']), SAGA_WAIT);
    await graph.nats.stop();
    await graph.nats.start();
    await graph.startProduct();
    await vi.waitFor(() => expect(mine.received.map((r) => r.value.status)).toContain('CONFIRMED'), SAGA_WAIT);
    await payOrder(graph, shopper, order.id, 'tok_visa');
    await vi.waitFor(() => expect(mine.received.map((r) => r.value.status)).toContain('PAID'), SAGA_WAIT);
    expect(mine.received.map((r) => r.value.status)).toEqual(['PENDING', 'CONFIRMED', 'PAID']);
    expect(mine.state.error).toBeUndefined();
  });
});
