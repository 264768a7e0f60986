import { randomUUID } from 'node:crypto';
import { openDatabase } from '@commerce-supergraph/shared/db/orm';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { dropDatabase, TEST_DATABASE_URL } from '@commerce-supergraph/test-support/database';
import { errorCodes, postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { openStandInPublisher, type StandInPublisher, streamEvents } from '@commerce-supergraph/test-support/jetstream';
import { unmigratedSchemaChanges } from '@commerce-supergraph/test-support/migrations';
import { startNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { QueryCounter } from '@commerce-supergraph/test-support/query-counter';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrderSubgraph } from '../src/app.js';
import { lockCustomer } from '../src/domain/open-order-cap.js';
import { entities } from '../src/entities/index.js';
import { ConsumedSubjects } from '../src/events/contracts/consumed.js';
import { ORDERS_STREAM, OrderSubjects } from '../src/events/contracts/published.js';
import { migrations } from '../src/migrations/index.js';
import { CATALOG_STREAM, INVENTORY_STREAM, TEST_GATEWAY_SECRET, testOrderConfig, testTokens } from './helpers.js';

const WAIT = { timeout: 20_000, interval: 50 };
const PLACE = `mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id status total { amount } } userErrors { field code } } }`;
const ORDER = `query($id: ID!) { order(id: $id) { id status rejectionReason } }`;
const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Order { id status items { quantity product { id } } payment { id } customer { id } } } }`;

// A NATS of this file's own: the real subjects must not reach the machine's server.
const nats = await startNatsServer();
// One placement at a time and eight waiting, however long (a busy machine must not refuse them): the
// tests place up to 8 at once, the back-pressure test more.
const config = testOrderConfig({
  NATS_URL: nats.url,
  ORDER_PLACE_MAX_CONCURRENT: '1',
  ORDER_PLACE_MAX_QUEUED: '8',
  ORDER_PLACE_MAX_WAIT_MS: '60000',
});
const counter = new QueryCounter();
const subgraph = createOrderSubgraph(config, { orm: counter.overrides, events: { relay: { sweepIntervalMs: 200 } } });
const tokens = testTokens(config);
const customerId = randomUUID();
let token: string;
let server: RunningServer;
let catalog: StandInPublisher;
let inventory: StandInPublisher;
let lamp: { id: string; name: string };

const call = (query: string, variables: Record<string, unknown>, bearer?: string) =>
  postGraphQL(server.url, query, variables, { token: bearer, gatewaySecret: TEST_GATEWAY_SECRET });
const ordersEvents = async (subject: string, orderId: string) =>
  (await streamEvents(nats.url, ORDERS_STREAM.name)).filter(
    (e) => e.type === subject && (e.data as { orderId: string }).orderId === orderId,
  );
const statusOf = async (id: string) => (await call(ORDER, { id }, token)).data?.order;
async function place(quantity = 1) {
  const res = await call(PLACE, { input: { items: [{ productId: lamp.id, quantity }] } }, token);
  expect(res.data?.placeOrder.userErrors).toEqual([]);
  return res.data?.placeOrder.order as { id: string; status: string };
}

beforeAll(async () => {
  // The catalog holds a product before the order subgraph first starts: a new database reads the whole stream.
  catalog = await openStandInPublisher(nats.url, 'product', [CATALOG_STREAM, INVENTORY_STREAM]);
  inventory = catalog;
  lamp = { id: randomUUID(), name: 'Desk Lamp' };
  await catalog.publish(ConsumedSubjects.productUpserted, {
    ...lamp,
    sku: 'L-1',
    price: '24.90',
    currency: 'USD',
    active: true,
  });
  server = await subgraph.start();
  token = await tokens.customer(customerId);
  // Priced once the projection consumer has read the stream from its start.
  await vi.waitFor(
    async () =>
      expect(
        (await call(PLACE, { input: { items: [{ productId: lamp.id, quantity: 0 }] } }, token)).data?.placeOrder
          .userErrors,
      ).toEqual([{ field: ['input', 'items', '0', 'quantity'], code: 'INVALID' }]),
    WAIT,
  );
});
afterAll(async () => {
  await subgraph.stop();
  await catalog?.close();
  await dropDatabase(config.dbName);
  await nats.dispose();
});

describe('order subgraph against PostgreSQL and NATS', () => {
  it('has migrations that match the entities exactly', async () => {
    expect(
      await unmigratedSchemaChanges({ url: config.databaseUrl, dbName: config.dbName, entities, migrations }),
    ).toBe('');
  });

  it('publishes created, and confirms on reserved once, however often reserved is delivered', async () => {
    const order = await place(2);
    expect(order.status).toBe('PENDING');
    await vi.waitFor(async () => expect(await ordersEvents(OrderSubjects.created, order.id)).toHaveLength(1), WAIT);
    const [created] = await ordersEvents(OrderSubjects.created, order.id);
    expect(created?.data).toEqual({
      orderId: order.id,
      customerId,
      items: [{ productId: lamp.id, quantity: 2, unitPrice: '24.90' }],
      total: '49.80',
      currency: 'USD',
    });
    const reserved = await inventory.publish(ConsumedSubjects.reservationReserved, {
      orderId: order.id,
      lines: [{ productId: lamp.id, quantity: 2 }],
    });
    await vi.waitFor(async () => expect((await statusOf(order.id)).status).toBe('CONFIRMED'), WAIT);
    await vi.waitFor(async () => expect(await ordersEvents(OrderSubjects.confirmed, order.id)).toHaveLength(1), WAIT);
    // A second reserved fact with an id of its own passes the inbox: only the status guard stops it.
    const again = await inventory.publish(ConsumedSubjects.reservationReserved, {
      orderId: order.id,
      lines: [{ productId: lamp.id, quantity: 2 }],
    });
    const handled = () =>
      querySql<{ n: number }>(config.dbName, 'select count(*)::int as n from inbox_messages where event_id = ?', [
        again.id,
      ]);
    await vi.waitFor(async () => expect((await handled())[0]?.n).toBe(1), WAIT);
    expect(await ordersEvents(OrderSubjects.confirmed, order.id)).toHaveLength(1);
    const [confirmed] = await ordersEvents(OrderSubjects.confirmed, order.id);
    expect(confirmed).toMatchObject({
      data: { orderId: order.id, customerId, total: '49.80', currency: 'USD' },
      correlationId: reserved.correlationId,
      causationId: reserved.id,
    });
  });

  it('rejects on rejected with a reason naming the product', async () => {
    const order = await place(3);
    await inventory.publish(ConsumedSubjects.reservationRejected, {
      orderId: order.id,
      shortLines: [{ productId: lamp.id, requested: 3, available: 1 }],
    });
    await vi.waitFor(async () => expect((await statusOf(order.id)).status).toBe('REJECTED'), WAIT);
    expect((await statusOf(order.id)).rejectionReason).toBe(
      'Not enough stock for Desk Lamp (3 requested, 1 available)',
    );
    await vi.waitFor(async () => expect(await ordersEvents(OrderSubjects.rejected, order.id)).toHaveLength(1), WAIT);
  });

  it('resolves orders through _entities for their customer only, in a fixed number of queries', async () => {
    const orders = await Promise.all(Array.from({ length: 8 }, () => place()));
    const reps = orders.map(({ id }) => ({ __typename: 'Order', id }));
    counter.reset();
    const own = await call(ENTITIES, { reps }, token);
    expect(own.errors).toBeUndefined();
    expect(own.data?._entities.map((o: { id: string }) => o.id)).toEqual(orders.map((o) => o.id));
    // orders, items, payments: one query each for all eight.
    expect(counter.statements.filter((sql) => !sql.includes('outbox_messages') && !sql.includes('inbox'))).toHaveLength(
      3,
    );
    const stranger = await call(ENTITIES, { reps: reps.slice(0, 2) }, await tokens.customer(randomUUID()));
    expect(stranger.data?._entities).toEqual([null, null]);
    expect(errorCodes(stranger)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    const admin = await call(ENTITIES, { reps: reps.slice(0, 1) }, await tokens.admin());
    expect(admin.data?._entities[0]?.id).toBe(orders[0]?.id);
    const anonymous = await call(ENTITIES, { reps: reps.slice(0, 1) });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });

  it("answers a customer's orders with their lines and count in one query, the lines in order", async () => {
    const placed = await place(3);
    const query = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer {
      orders(first: 1) { totalCount edges { node { id items { quantity product { id name } } } } } } } }`;
    counter.reset();
    const res = await call(query, { reps: [{ __typename: 'Customer', id: customerId }] }, token);
    expect(res.errors).toBeUndefined();
    const orders = res.data?._entities[0].orders;
    expect(orders.edges).toEqual([{ node: { id: placed.id, items: [{ quantity: 3, product: lamp }] } }]);
    expect(orders.totalCount).toBeGreaterThan(1);
    // The page, its count and its lines: one statement (issue #10).
    expect(counter.statements.filter((sql) => !sql.includes('outbox_messages') && !sql.includes('inbox'))).toHaveLength(
      1,
    );
  });

  it('refuses placeOrder past the default open-order cap with TOO_MANY_OPEN_ORDERS at input', async () => {
    expect(config.placeOrder.maxOpenOrders).toBe(10);
    const hoarder = await tokens.customer(randomUUID());
    const input = { items: [{ productId: lamp.id, quantity: 100 }] };
    for (let n = 0; n < 10; n++) {
      expect((await call(PLACE, { input }, hoarder)).data?.placeOrder.userErrors).toEqual([]);
    }
    const refused = await call(PLACE, { input }, hoarder);
    expect(refused.data?.placeOrder).toEqual({
      order: null,
      userErrors: [{ field: ['input'], code: 'TOO_MANY_OPEN_ORDERS' }],
    });
  });

  it('answers placements beyond one running and eight waiting at once with TOO_MANY_REQUESTS, storing nothing for them', async () => {
    const rusher = randomUUID();
    const bearer = await tokens.customer(rusher);
    const input = { items: [{ productId: lamp.id, quantity: 1 }] };
    // The customer's lock, held here, keeps the first placement running until the three past the
    // eight waiting are answered: on a slow machine it could otherwise finish before the last ones
    // arrive, and the open-order cap (10) would answer them instead.
    const orm = await openDatabase({
      url: TEST_DATABASE_URL,
      dbName: config.dbName,
      entities,
      migrations,
      log: createLogger('test'),
    });
    try {
      let answered = 0;
      const sent = await orm.em.fork().transactional(async (tx) => {
        await lockCustomer(tx, rusher);
        const placing = Array.from({ length: 12 }, () =>
          call(PLACE, { input }, bearer).finally(() => {
            answered += 1;
          }),
        );
        await vi.waitFor(() => expect(answered).toBe(3), WAIT);
        return placing;
      });
      const answers = await Promise.all(sent);
      const accepted = answers.filter((res) => res.data?.placeOrder.order);
      const refused = answers.filter((res) => !res.data?.placeOrder.order);
      expect({ accepted: accepted.length, refused: refused.length }).toEqual({ accepted: 9, refused: 3 });
      for (const res of refused) {
        expect(res.data?.placeOrder.userErrors).toEqual([{ field: ['input'], code: 'TOO_MANY_REQUESTS' }]);
      }
    } finally {
      await orm.close(true);
    }
    const [row] = await querySql<{ n: number }>(
      config.dbName,
      'select count(*)::int as n from orders where customer_id = ?',
      [rusher],
    );
    expect(row?.n).toBe(9);
  });

  it('reports ready with the database, and the database and NATS on /health', async () => {
    const ready = await fetch(server.url.replace('/graphql', '/ready'));
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
    const health = await fetch(server.url.replace('/graphql', '/health'));
    expect(await health.json()).toMatchObject({ database: { status: 'up' }, nats: { status: 'connected' } });
  });
});
