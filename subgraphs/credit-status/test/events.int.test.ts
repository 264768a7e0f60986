import { randomUUID } from 'node:crypto';
import { InboxMessage } from '@commerce-supergraph/shared/events/inbox';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { dropDatabase } from '@commerce-supergraph/test-support/database';
import {
  openStandInPublisher,
  publishWithoutMsgId,
  type StandInPublisher,
  streamEvents,
} from '@commerce-supergraph/test-support/jetstream';
import { startNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCreditStatusSubgraph } from '../src/app.js';
import { ConsumedSubjects } from '../src/events/contracts/consumed.js';
import { CREDIT_STREAM } from '../src/events/contracts/published.js';
import {
  ADJUST,
  CUSTOMERS_STREAM,
  callSubgraph,
  inspect,
  PAYMENTS_STREAM,
  testCreditConfig,
  testTokens,
} from './helpers.js';

const WAIT = { timeout: 25_000, interval: 100 };

// A NATS of its own: the subjects are the real ones, which must not reach the machine's server.
const nats = await startNatsServer();
const config = testCreditConfig({ NATS_URL: nats.url });
const subgraph = createCreditStatusSubgraph(config, { events: { relay: { sweepIntervalMs: 200 } } });
const tokens = testTokens(config);
let server: RunningServer;
let db: Awaited<ReturnType<typeof inspect>>;
let customers: StandInPublisher;
let payments: StandInPublisher | undefined;
const call = callSubgraph(() => server.url);

const score = async (customerId: string) => (await db.statuses(customerId))[0]?.score;
const payment = (customerId: string, reason = 'card_declined') => ({
  paymentId: randomUUID(),
  orderId: randomUUID(),
  customerId,
  amount: '19.99',
  currency: 'USD',
  providerReference: 'ch_test',
  reason,
});

beforeAll(async () => {
  customers = await openStandInPublisher(nats.url, 'customer', [CUSTOMERS_STREAM]);
  server = await subgraph.start();
  db = await inspect(config);
});
afterAll(async () => {
  await subgraph.stop();
  await customers?.close();
  await payments?.close();
  await db?.close();
  await dropDatabase(config.dbName);
  await nats.dispose();
});

describe('credit status from events', () => {
  it('creates a status at 650 FAIR from the registered event, once when it is delivered twice', async () => {
    const customerId = randomUUID();
    const event = await customers.publish(ConsumedSubjects.customerRegistered, {
      customerId,
      email: 'a@b.c',
      name: 'A',
    });
    await publishWithoutMsgId(nats.url, event);
    await vi.waitFor(
      async () => expect(await db.orm.em.fork().count(InboxMessage, { eventId: event.id })).toBe(1),
      WAIT,
    );
    const statuses = await db.statuses(customerId);
    expect(statuses.map((s) => [s.score, s.band])).toEqual([[650, 'FAIR']]);
    expect(await db.history(customerId)).toEqual([]);
  });

  it('waits for the PAYMENTS stream, then moves the score: declined -10, succeeded +5', async () => {
    // The order subgraph owns PAYMENTS and is not running: the stream appears only now, after start-up.
    payments = await openStandInPublisher(nats.url, 'order', [PAYMENTS_STREAM]);
    const customerId = randomUUID();
    await customers.publish(ConsumedSubjects.customerRegistered, { customerId, email: 'p@b.c', name: 'P' });
    const declined = await payments.publish(ConsumedSubjects.paymentFailed, payment(customerId));
    await vi.waitFor(async () => expect(await score(customerId)).toBe(640), WAIT);
    await payments.publish(ConsumedSubjects.paymentSucceeded, payment(customerId));
    await vi.waitFor(async () => expect(await score(customerId)).toBe(645), WAIT);
    expect(await db.history(customerId)).toEqual([
      { score: 640, delta: -10, reason: 'Payment declined' },
      { score: 645, delta: 5, reason: 'Payment succeeded' },
    ]);
    await vi.waitFor(async () => {
      const changes = (await streamEvents(nats.url, CREDIT_STREAM.name)).filter(
        (e) => (e.data as { customerId: string }).customerId === customerId,
      );
      expect(changes.map((e) => (e.data as { score: number }).score)).toEqual([640, 645]);
      // The change says what caused it: the payment event, in the chain of the request that paid.
      expect(changes[0]).toMatchObject({ causationId: declined.id, correlationId: declined.correlationId });
    }, WAIT);
  });

  it('moves the score once when a payment event is delivered twice', async () => {
    const customerId = randomUUID();
    const paid = await payments!.publish(ConsumedSubjects.paymentSucceeded, payment(customerId));
    await publishWithoutMsgId(nats.url, paid);
    // One message at a time per consumer: once a later event is handled, both copies were too.
    const barrier = await payments!.publish(ConsumedSubjects.paymentSucceeded, payment(randomUUID()));
    await vi.waitFor(
      async () => expect(await db.orm.em.fork().count(InboxMessage, { eventId: barrier.id })).toBe(1),
      WAIT,
    );
    expect(await score(customerId)).toBe(655);
    expect(await db.history(customerId)).toEqual([{ score: 655, delta: 5, reason: 'Payment succeeded' }]);
  });
  it('scores a payment that overtakes the registered event, and clamps at both ends', async () => {
    const stranger = randomUUID();
    await payments?.publish(ConsumedSubjects.paymentSucceeded, payment(stranger));
    await vi.waitFor(async () => expect(await score(stranger)).toBe(655), WAIT);

    const admin = await tokens.admin();
    const high = randomUUID();
    const low = randomUUID();
    await customers.publish(ConsumedSubjects.customerRegistered, { customerId: high, email: 'h@b.c', name: 'H' });
    await customers.publish(ConsumedSubjects.customerRegistered, { customerId: low, email: 'l@b.c', name: 'L' });
    await vi.waitFor(async () => expect([await score(high), await score(low)]).toEqual([650, 650]), WAIT);
    await call(ADJUST, { input: { customerId: high, delta: 198, reason: 'Up' } }, admin);
    await call(ADJUST, { input: { customerId: low, delta: -345, reason: 'Down' } }, admin);
    for (let i = 0; i < 2; i++) {
      await payments?.publish(ConsumedSubjects.paymentSucceeded, payment(high));
      await payments?.publish(ConsumedSubjects.paymentFailed, payment(low));
    }
    await vi.waitFor(async () => {
      expect(await db.history(high)).toEqual([
        { score: 848, delta: 198, reason: 'Up' },
        { score: 850, delta: 2, reason: 'Payment succeeded' },
      ]);
      expect(await db.history(low)).toEqual([
        { score: 305, delta: -345, reason: 'Down' },
        { score: 300, delta: -5, reason: 'Payment declined' },
      ]);
    }, WAIT);
  });

  it('loses no update when payments of both kinds and admin adjustments of one customer arrive at once', async () => {
    const customerId = randomUUID();
    await customers.publish(ConsumedSubjects.customerRegistered, { customerId, email: 'c@b.c', name: 'C' });
    await vi.waitFor(async () => expect(await score(customerId)).toBe(650), WAIT);
    const admin = await tokens.admin();
    await Promise.all([
      ...Array.from({ length: 15 }, () => payments?.publish(ConsumedSubjects.paymentSucceeded, payment(customerId))),
      ...Array.from({ length: 15 }, () => payments?.publish(ConsumedSubjects.paymentFailed, payment(customerId))),
      ...Array.from({ length: 10 }, () => call(ADJUST, { input: { customerId, delta: 1, reason: 'Tweak' } }, admin)),
    ]);
    await vi.waitFor(async () => expect(await db.history(customerId)).toHaveLength(40), WAIT);
    expect(await score(customerId)).toBe(650 + 15 * 5 - 15 * 10 + 10);
  });

  it('erases a deleted customer, and creates nothing again for their late events', async () => {
    const customerId = randomUUID();
    await customers.publish(ConsumedSubjects.customerRegistered, { customerId });
    await payments?.publish(ConsumedSubjects.paymentSucceeded, payment(customerId));
    await vi.waitFor(async () => expect(await db.history(customerId)).toHaveLength(1), WAIT);
    const deletedAt = new Date().toISOString();
    const deleted = await customers.publish(ConsumedSubjects.customerDeleted, { customerId, deletedAt });
    await publishWithoutMsgId(nats.url, deleted);
    await vi.waitFor(async () => expect(await db.statuses(customerId)).toEqual([]), WAIT);
    expect(await db.history(customerId)).toEqual([]);
    // A late registered event (a redelivery) and a late payment create no status again.
    await customers.publish(ConsumedSubjects.customerRegistered, { customerId });
    const late = await payments!.publish(ConsumedSubjects.paymentFailed, payment(customerId));
    await vi.waitFor(
      async () => expect(await db.orm.em.fork().count(InboxMessage, { eventId: late.id })).toBe(1),
      WAIT,
    );
    const barrier = await customers.publish(ConsumedSubjects.customerRegistered, { customerId: randomUUID() });
    await vi.waitFor(
      async () => expect(await db.orm.em.fork().count(InboxMessage, { eventId: barrier.id })).toBe(1),
      WAIT,
    );
    expect(await db.statuses(customerId)).toEqual([]);
    expect(await db.history(customerId)).toEqual([]);
  });
});
