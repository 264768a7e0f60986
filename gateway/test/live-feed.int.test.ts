import { randomUUID } from 'node:crypto';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { startNatsServer, type TestNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createOrderFeed, type OrderFeed } from '../src/live/feed.js';
import type { OrderUpdate } from '../src/live/updates.js';

// The feed reads the order subgraph's streams by their names (ORDERS, PAYMENTS): a NATS of its own.
const WAIT = { timeout: 10_000, interval: 50 };
let nats: TestNatsServer;
let nc: NatsConnection;
let feed: OrderFeed;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
  await jsm.streams.add({ name: 'PAYMENTS', subjects: ['payments.>'] });
  feed = createOrderFeed({
    natsUrl: nats.url,
    log: createLogger('live-feed-test', { LOG_LEVEL: 'silent' }),
    lingerMs: 300,
  });
  feed.start();
  await vi.waitFor(() => expect(feed.isReady()).toBe(true), WAIT);
});
afterAll(async () => {
  await feed?.close();
  await nc?.close();
  await nats?.dispose();
});

/** An order placed, as the order subgraph publishes it; answers its id. */
async function created(via = nc): Promise<string> {
  const orderId = randomUUID();
  const data = { orderId, customerId: 'c1' };
  const envelope = { id: randomUUID(), type: 'orders.order.created.v1', occurredAt: new Date().toISOString(), data };
  await jetstream(via).publish('orders.order.created.v1', JSON.stringify(envelope));
  return orderId;
}

/** Consumers the server holds on both streams: the feed's are its only ones. */
async function consumers(): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const counts = await Promise.all(
    ['ORDERS', 'PAYMENTS'].map(async (s) => (await jsm.streams.info(s)).state.consumer_count),
  );
  return counts.reduce((a, b) => a + b, 0);
}

it('reads the streams only while someone listens, each time from then on', async () => {
  // Nobody listens: events go by, and the server delivers them to no consumer of the feed's.
  await created();
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await consumers()).toBe(0);

  const seen: OrderUpdate[] = [];
  const unsubscribe = feed.subscribe((update) => seen.push(update));
  await feed.reading();
  // Published before the server may even hold the consumers: their position was taken already.
  const first = await created();
  await vi.waitFor(() => expect(seen.map((u) => u.orderId)).toEqual([first]), WAIT);
  expect(await consumers()).toBe(2);

  // The last listener gone: after the linger, the consumers are closed and nothing is read.
  unsubscribe();
  await vi.waitFor(async () => expect(await consumers()).toBe(0), WAIT);
  await created();

  // A new listener starts from its subscribe, not from where the feed stopped.
  const again: OrderUpdate[] = [];
  const stop = feed.subscribe((update) => again.push(update));
  await feed.reading();
  const second = await created();
  await vi.waitFor(() => expect(again.map((u) => u.orderId)).toEqual([second]), WAIT);
  stop();
});

it('keeps reading while a listener leaves and another comes within the linger', async () => {
  const unsubscribe = feed.subscribe(() => undefined);
  await feed.reading();
  unsubscribe();
  const seen: OrderUpdate[] = [];
  const stop = feed.subscribe((update) => seen.push(update));
  await feed.reading();
  const orderId = await created();
  await vi.waitFor(() => expect(seen.map((u) => u.orderId)).toEqual([orderId]), WAIT);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await consumers()).toBe(2);
  stop();
});

it('subscribed while NATS is away, gets every change stored once it is back', async () => {
  // Past the last test's linger: nobody listens, the feed reads nothing.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await nats.stop();
  const seen: OrderUpdate[] = [];
  const stop = feed.subscribe((update) => seen.push(update));
  // No position can be taken while NATS is away: the subscription goes on after the time limit.
  await feed.reading(1_200);
  await nats.start();
  const publisher = await connect({ servers: nats.url });
  try {
    // Stored as soon as NATS is back, likely before the feed is (its reconnect waits a moment), as
    // a relay's backlog would be: a feed starting from the streams' ends then would miss it.
    const after = await created(publisher);
    await vi.waitFor(() => expect(seen.map((u) => u.orderId)).toContain(after), WAIT);
  } finally {
    stop();
    await publisher.close();
  }
});

it('stopped while NATS is away, starts its next reading from then on, not from before the outage', async () => {
  const unsubscribe = feed.subscribe(() => undefined);
  await feed.reading();
  unsubscribe();
  await nats.stop();
  // The linger ends during the outage, the pumps failing and retrying: none may keep a position.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await nats.start();
  const publisher = await connect({ servers: nats.url });
  try {
    await vi.waitFor(() => expect(feed.isReady()).toBe(true), WAIT);
    await created(publisher); // nobody listens
    const seen: OrderUpdate[] = [];
    const stop = feed.subscribe((update) => seen.push(update));
    await feed.reading();
    const fresh = await created(publisher);
    await vi.waitFor(() => expect(seen.map((u) => u.orderId)).toContain(fresh), WAIT);
    expect(seen.map((u) => u.orderId)).toEqual([fresh]);
    stop();
  } finally {
    await publisher.close();
  }
});
