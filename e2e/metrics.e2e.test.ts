import { find, type Sample, scrape, total } from '@commerce-supergraph/test-support/prometheus';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { refuseConfirmations } from './support/faults.js';
import {
  adminToken,
  createProduct,
  placed,
  registerShopper,
  SAGA_WAIT,
  type Shopper,
  settled,
} from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

let graph: TestSupergraph;
let admin: string;
let shopper: Shopper;

beforeAll(async () => {
  // Failing handlers dead-letter after two quick deliveries, so the dead-letter metric moves in seconds.
  graph = await startSupergraph({ orderEvents: { bus: { retry: { maxDeliver: 2, backoffMs: [100] } } } });
  admin = await adminToken(graph);
  shopper = await registerShopper(graph, 'measured');
});
afterAll(() => graph?.stop());

/** `/metrics` beside a service's `/graphql` (served there outside production). */
const metricsOf = (graphqlUrl: string, headers?: Record<string, string>) =>
  scrape(graphqlUrl.replace(/\/graphql$/, '/metrics'), headers);
const subgraph = (name: string) => metricsOf(graph.subgraphUrls[name] as string);
const one = (samples: Sample[], name: string, labels: Record<string, string> = {}) => {
  const found = find(samples, name, labels);
  expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return (found[0] as Sample).value;
};

describe('/metrics after a few orders', () => {
  it('counts requests, latency, errors, subgraph fetches, saga handling, orders by status and dead letters', async () => {
    const desk = await createProduct(graph, admin, shopper, { initialStock: 5 });
    const stuck = await registerShopper(graph, 'stuck');
    // Creating the product asked PlaceOrder already (is it priced yet?): what follows is counted from here.
    const [gatewayBefore, orderBefore] = [await metricsOf(graph.gatewayUrl), await subgraph('order')];
    // A subgraph sees the gateway's name for its part of the plan: <operation>__<subgraph>__<step>.
    const placeOrders = (samples: Sample[], before: Sample[], operation = 'PlaceOrder') =>
      one(samples, 'graphql_requests_total', { operation, outcome: 'success' }) -
      one(before, 'graphql_requests_total', { operation, outcome: 'success' });
    for (let i = 0; i < 3; i++)
      await settled(graph, shopper, (await placed(graph, shopper, [{ productId: desk.id, quantity: 1 }])).id);
    // More than is left: the saga rejects it.
    const rejected = await placed(graph, shopper, [{ productId: desk.id, quantity: 50 }]);
    expect((await settled(graph, shopper, rejected.id)).status).toBe('REJECTED');
    expect((await graph.send('{ nosuchfield }')).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    // A confirmation the order subgraph cannot apply: dead-lettered, and counted by subject.
    await refuseConfirmations(graph, stuck.id);
    await placed(graph, stuck, [{ productId: desk.id, quantity: 1 }]);
    await vi.waitFor(async () => {
      const order = await subgraph('order');
      expect(total(order, 'event_dead_letters_total', { subject: 'inventory.reservation.reserved.v1' })).toBe(1);
    }, SAGA_WAIT);

    const gateway = await metricsOf(graph.gatewayUrl);
    expect(find(gateway, 'process_cpu_user_seconds_total')[0]?.labels.service).toBe('gateway');
    expect(placeOrders(gateway, gatewayBefore)).toBe(5);
    const placeCount = one(gateway, 'graphql_request_duration_seconds_count', { operation: 'PlaceOrder' });
    const placeSum = one(gateway, 'graphql_request_duration_seconds_sum', { operation: 'PlaceOrder' });
    expect(placeCount).toBe(one(gateway, 'graphql_requests_total', { operation: 'PlaceOrder', outcome: 'success' }));
    // Plausible: each took some time, none near a deadline.
    expect(placeSum).toBeGreaterThan(0);
    expect(placeSum / placeCount).toBeLessThan(5);
    expect(one(gateway, 'graphql_request_duration_seconds_bucket', { operation: 'PlaceOrder', le: '+Inf' })).toBe(
      placeCount,
    );
    expect(total(gateway, 'graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(
      total(gateway, 'graphql_requests_total', { operation: '__anonymous', outcome: 'error' }),
    ).toBeGreaterThanOrEqual(1);
    // Every PlaceOrder went to the order subgraph; the order's product and customer through entity fetches.
    const orderFetches = one(gateway, 'gateway_subgraph_fetch_duration_seconds_count', {
      subgraph: 'order',
      outcome: 'ok',
    });
    expect(orderFetches).toBeGreaterThanOrEqual(5);
    expect(
      one(gateway, 'gateway_subgraph_fetch_duration_seconds_sum', { subgraph: 'order', outcome: 'ok' }),
    ).toBeGreaterThan(0);

    const order = await subgraph('order');
    expect(find(order, 'process_cpu_user_seconds_total')[0]?.labels.service).toBe('order');
    expect(one(order, 'orders_by_status', { status: 'CONFIRMED' })).toBe(3);
    expect(one(order, 'orders_by_status', { status: 'REJECTED' })).toBe(1);
    expect(one(order, 'orders_by_status', { status: 'PENDING' })).toBe(1);
    expect(one(order, 'orders_by_status', { status: 'CANCELLED' })).toBe(0);
    expect(placeOrders(order, orderBefore, 'PlaceOrder__order__0')).toBe(5);
    const reserved = 'order__inventory_reservation_reserved_v1';
    expect(one(order, 'event_handling_duration_seconds_count', { consumer: reserved, outcome: 'ok' })).toBe(3);
    // The stuck order's two deliveries failed, then its message was dead-lettered.
    expect(one(order, 'event_handling_duration_seconds_count', { consumer: reserved, outcome: 'error' })).toBe(2);
    expect(
      one(order, 'event_dead_letters_total', { consumer: reserved, subject: 'inventory.reservation.reserved.v1' }),
    ).toBe(1);
    expect(one(order, 'event_consumer_lag_messages', { consumer: reserved, state: 'pending' })).toBe(0);
    expect(one(order, 'event_consumer_lag_messages', { consumer: reserved, state: 'ack_pending' })).toBe(0);
    expect(one(order, 'db_pool_max_connections')).toBe(10);
    const pool = ['in_use', 'idle', 'waiting'].map((state) => one(order, 'db_pool_connections', { state }));
    expect(pool.every((n) => n >= 0 && n <= 10)).toBe(true);
    expect(pool[0]! + pool[1]!).toBeGreaterThan(0);

    // The product subgraph handled every placed order and published its answers: its outbox drains.
    await vi.waitFor(async () => {
      const product = await subgraph('product');
      expect(
        one(product, 'event_handling_duration_seconds_count', {
          consumer: 'product__orders_order_created_v1',
          outcome: 'ok',
        }),
      ).toBe(5);
      expect(one(product, 'outbox_backlog_messages')).toBe(0);
      expect(one(product, 'outbox_oldest_unpublished_age_seconds')).toBe(0);
    }, SAGA_WAIT);
    // Its own figures only: the order subgraph's gauge is not in the product subgraph's registry.
    expect(find(await subgraph('product'), 'orders_by_status')).toEqual([]);
  });

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const token = 'metrics-token-of-at-least-32-bytes-for-the-test';
    const url = await graph.startGateway({ METRICS_TOKEN: token });
    const metrics = url.replace(/\/graphql$/, '/metrics');
    expect((await fetch(metrics)).status).toBe(401);
    expect((await fetch(metrics, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const samples = await scrape(metrics, { authorization: `Bearer ${token}` });
    expect(find(samples, 'graphql_requests_total')).toBeDefined();
  });
});
