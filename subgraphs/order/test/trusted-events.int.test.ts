import { randomUUID } from 'node:crypto';
import { createEnvelope } from '@commerce-supergraph/shared/events/envelope';
import { DeadLetterStore } from '@commerce-supergraph/shared/events/jetstream/dead-letters';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { dropDatabase } from '@commerce-supergraph/test-support/database';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import {
  consumerBacklog,
  openStandInPublisher,
  publishWithoutMsgId,
  type StandInPublisher,
  streamEvents,
} from '@commerce-supergraph/test-support/jetstream';
import { startNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrderSubgraph } from '../src/app.js';
import { ConsumedSubjects } from '../src/events/contracts/consumed.js';
import { ORDERS_STREAM, OrderSubjects } from '../src/events/contracts/published.js';
import { CATALOG_STREAM, INVENTORY_STREAM, TEST_GATEWAY_SECRET, testOrderConfig, testTokens } from './helpers.js';

/**
 * Issue 11, trusted events: a reservation answer is applied only when it is what the order
 * subgraph's contract says, from the product subgraph. Anyone who can publish on the subject
 * (here: straight to NATS, with a fresh event id) and sends something else changes nothing; the
 * message is dead-lettered on its first delivery with the reason, and the inbox does not record it.
 */
const WAIT = { timeout: 20_000, interval: 50 };
const PLACE = `mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id status } userErrors { field code } } }`;
const ORDER = `query($id: ID!) { order(id: $id) { id status } }`;
const RESERVED_CONSUMER = 'order__inventory_reservation_reserved_v1';

const nats = await startNatsServer();
const config = testOrderConfig({ NATS_URL: nats.url });
const subgraph = createOrderSubgraph(config, { events: { relay: { sweepIntervalMs: 200 } } });
const tokens = testTokens(config);
let server: RunningServer;
let product: StandInPublisher;
let deadLetters: DeadLetterStore;
const lamp = { id: randomUUID(), name: 'Desk Lamp' };

const call = (query: string, variables: Record<string, unknown>, token: string) =>
  postGraphQL(server.url, query, variables, { token, gatewaySecret: TEST_GATEWAY_SECRET });

/** A PENDING order of a customer of its own (the open-order cap counts per customer). */
async function pendingOrder() {
  const token = await tokens.customer(randomUUID());
  const placed = await call(PLACE, { input: { items: [{ productId: lamp.id, quantity: 2 }] } }, token);
  expect(placed.data?.placeOrder.userErrors).toEqual([]);
  const order = placed.data?.placeOrder.order as { id: string; status: string };
  expect(order.status).toBe('PENDING');
  return { id: order.id, status: async () => (await call(ORDER, { id: order.id }, token)).data?.order.status };
}

const inboxRows = async (eventId: string) =>
  (await querySql(config.dbName, 'select 1 from inbox_messages where event_id = ?', [eventId])).length;
const confirmations = async (orderId: string) =>
  (await streamEvents(nats.url, ORDERS_STREAM.name)).filter(
    (e) => e.type === OrderSubjects.confirmed && (e.data as { orderId: string }).orderId === orderId,
  );

beforeAll(async () => {
  product = await openStandInPublisher(nats.url, 'product', [CATALOG_STREAM, INVENTORY_STREAM]);
  await product.publish(ConsumedSubjects.productUpserted, {
    ...lamp,
    sku: 'L-1',
    price: '24.90',
    currency: 'USD',
    active: true,
  });
  server = await subgraph.start();
  deadLetters = await DeadLetterStore.connect(nats.url);
  const probe = await tokens.customer(randomUUID());
  // Priced once the projection consumer has read the catalog.
  await vi.waitFor(
    async () =>
      expect(
        (await call(PLACE, { input: { items: [{ productId: lamp.id, quantity: 0 }] } }, probe)).data?.placeOrder
          .userErrors,
      ).toEqual([{ field: ['input', 'items', '0', 'quantity'], code: 'INVALID' }]),
    WAIT,
  );
});
afterAll(async () => {
  await deadLetters?.close();
  await subgraph.stop();
  await product?.close();
  await dropDatabase(config.dbName);
  await nats.dispose();
});

describe('a forged reservation answer', () => {
  const lines = [{ productId: lamp.id, quantity: 2 }];
  it.each([
    {
      forgery: 'from another source',
      source: 'customer',
      data: (orderId: string) => ({ orderId, lines }),
      reason: 'source: "customer" is not "product", the publisher of inventory.reservation.reserved.v1',
    },
    {
      forgery: 'without its lines',
      source: 'product',
      data: (orderId: string) => ({ orderId }),
      reason: 'data.lines: missing',
    },
    {
      forgery: 'with a quantity of the wrong type',
      source: 'product',
      data: (orderId: string) => ({ orderId, lines: [{ productId: lamp.id, quantity: '2' }] }),
      reason: 'data.lines.0.quantity: Invalid input: expected number, received string',
    },
    {
      forgery: 'naming the order by an id that is not a uuid',
      source: 'product',
      data: (orderId: string) => ({ orderId: orderId.toUpperCase(), lines }),
      reason: 'data.orderId: not a uuid',
    },
  ])('$forgery changes nothing and is dead-lettered after one delivery', async ({ source, data, reason }) => {
    const order = await pendingOrder();
    const forged = createEnvelope({
      subject: ConsumedSubjects.reservationReserved,
      data: data(order.id),
      source,
      correlationId: `forged-${randomUUID()}`,
    });
    await publishWithoutMsgId(nats.url, forged);

    await vi.waitFor(async () => {
      expect((await deadLetters.list()).filter((letter) => letter.eventId === forged.id)).toHaveLength(1);
    }, WAIT);
    const [letter] = (await deadLetters.list()).filter((l) => l.eventId === forged.id);
    expect(letter).toMatchObject({
      consumer: RESERVED_CONSUMER,
      subject: ConsumedSubjects.reservationReserved,
      storedSubject: `deadletter.order.${ConsumedSubjects.reservationReserved}`,
      deliveryCount: 1,
      envelope: forged,
    });
    expect(letter?.error).toBe(`refused ${ConsumedSubjects.reservationReserved}: ${reason}`);
    expect(await order.status()).toBe('PENDING');
    expect(await inboxRows(forged.id)).toBe(0);
    expect(await confirmations(order.id)).toEqual([]);
    // Settled: nothing waits for a redelivery.
    expect(await consumerBacklog(nats.url, INVENTORY_STREAM.name, RESERVED_CONSUMER)).toEqual({
      pending: 0,
      ackPending: 0,
    });

    // The product subgraph's own answer still confirms the order.
    const genuine = await product.publish(ConsumedSubjects.reservationReserved, { orderId: order.id, lines });
    await vi.waitFor(async () => expect(await order.status()).toBe('CONFIRMED'), WAIT);
    expect(await inboxRows(genuine.id)).toBe(1);
    expect(await confirmations(order.id)).toHaveLength(1);
  });
});
