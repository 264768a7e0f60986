import { randomUUID } from 'node:crypto';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { dropDatabase } from '@commerce-supergraph/test-support/database';
import { errorCodes, postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import {
  openStandInPublisher,
  publishWithoutMsgId,
  type StandInPublisher,
} from '@commerce-supergraph/test-support/jetstream';
import { startNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { QueryCounter } from '@commerce-supergraph/test-support/query-counter';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCustomerSubgraph } from '../src/app.js';
import { ConsumedSubjects } from '../src/events/contracts/consumed.js';
import { TEST_GATEWAY_SECRET, testCustomerConfig } from './helpers.js';
import { handledCount, RecordingNotifier } from './notification-helpers.js';

const WAIT = { timeout: 20_000, interval: 100 };
const REGISTER = `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { token customer { id } } }`;
const NOTIFICATIONS = `query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Customer { id notifications { id subject body createdAt } } } }`;

const nats = await startNatsServer();
const config = testCustomerConfig({ NATS_URL: nats.url });
const notifier = new RecordingNotifier();
const counter = new QueryCounter();
const subgraph = createCustomerSubgraph(config, {
  notifier,
  orm: counter.overrides,
  events: { relay: { sweepIntervalMs: 3_600_000 }, bus: { retry: { backoffMs: [200] } } },
});
let server: RunningServer;
let orders: StandInPublisher;

const call = (query: string, variables: Record<string, unknown>, token?: string) =>
  postGraphQL(server.url, query, variables, { token, gatewaySecret: TEST_GATEWAY_SECRET });

async function register(email: string) {
  const res = await call(REGISTER, { input: { name: 'N', email, password: 'password123' } });
  return res.data?.registerCustomer as { token: string; customer: { id: string } };
}

const notificationsOf = async (customer: { token: string; customer: { id: string } }) =>
  (await call(NOTIFICATIONS, { reps: [{ __typename: 'Customer', id: customer.customer.id }] }, customer.token)).data
    ?._entities[0].notifications as { id: string; subject: string; body: string; createdAt: string }[];

const confirmed = (customerId: string) => ({ orderId: randomUUID(), customerId, total: '59.80', currency: 'USD' });

beforeAll(async () => {
  // The order subgraph owns ORDERS and PAYMENTS; this test stands in for it.
  orders = await openStandInPublisher(nats.url, 'order', [
    { name: 'ORDERS', subjects: ['orders.>'] },
    { name: 'PAYMENTS', subjects: ['payments.>'] },
  ]);
  server = await subgraph.start();
});
afterAll(async () => {
  await subgraph.stop();
  await orders?.close();
  await dropDatabase(config.dbName);
  await nats.dispose();
});

describe('notifications from order and payment events', () => {
  it('stores confirmed, receipt and rejected messages, newest first, and sends each to the customer', async () => {
    const ada = await register('ada.notify@example.com');
    const id = ada.customer.id;
    const order = confirmed(id);
    await orders.publish(ConsumedSubjects.orderConfirmed, order);
    await vi.waitFor(async () => expect(await notificationsOf(ada)).toHaveLength(1), WAIT);
    await orders.publish(ConsumedSubjects.paymentSucceeded, {
      paymentId: randomUUID(),
      orderId: order.orderId,
      customerId: id,
      amount: '59.80',
      currency: 'USD',
      providerReference: 'ch_1',
    });
    await vi.waitFor(async () => expect(await notificationsOf(ada)).toHaveLength(2), WAIT);
    await orders.publish(ConsumedSubjects.orderRejected, {
      orderId: randomUUID(),
      customerId: id,
      reason: 'Out of stock',
    });
    await vi.waitFor(async () => expect(await notificationsOf(ada)).toHaveLength(3), WAIT);

    const stored = await notificationsOf(ada);
    expect(stored.map((n) => n.subject)).toEqual([
      'Your order could not be accepted',
      'Payment receipt',
      'Your order is confirmed',
    ]);
    expect(stored[1]?.body).toContain('59.80 USD');
    const sent = notifier.sent.filter((n) => n.customerId === id);
    expect(sent.map((n) => [n.notificationId, n.to])).toEqual(
      [...stored].reverse().map((n) => [n.id, 'ada.notify@example.com']),
    );
  });

  it('stores and sends a redelivered event once', async () => {
    const bob = await register('bob.notify@example.com');
    const event = await orders.publish(ConsumedSubjects.orderConfirmed, confirmed(bob.customer.id));
    await publishWithoutMsgId(nats.url, event);
    await publishWithoutMsgId(nats.url, event);
    // One message at a time per consumer: once a later event is handled, both copies were too.
    const barrier = await orders.publish(ConsumedSubjects.orderConfirmed, confirmed(bob.customer.id));
    await vi.waitFor(async () => expect(await handledCount(config, barrier.id)).toBe(1), WAIT);
    expect(await handledCount(config, event.id)).toBe(1);
    expect(await notificationsOf(bob)).toHaveLength(2);
    expect(notifier.sent.filter((n) => n.customerId === bob.customer.id)).toHaveLength(2);
  });

  it('rolls the notification back when sending fails, and stores and sends it on redelivery', async () => {
    const cleo = await register('cleo.notify@example.com');
    notifier.failures = 1;
    const attemptsBefore = notifier.attempts;
    await orders.publish(ConsumedSubjects.orderConfirmed, confirmed(cleo.customer.id));
    await vi.waitFor(async () => expect(await notificationsOf(cleo)).toHaveLength(1), WAIT);
    expect(notifier.attempts - attemptsBefore).toBe(2);
    expect(notifier.sent.filter((n) => n.customerId === cleo.customer.id)).toHaveLength(1);
  });

  it('skips an event for an unknown customer without retrying it', async () => {
    const event = await orders.publish(ConsumedSubjects.orderConfirmed, confirmed(randomUUID()));
    await vi.waitFor(async () => expect(await handledCount(config, event.id)).toBe(1), WAIT);
    expect(notifier.sent.some((n) => n.customerId === event.data.customerId)).toBe(false);
  });

  it("shows a customer only their own notifications, and N customers' with one query", async () => {
    const dan = await register('dan.notify@example.com');
    const eve = await register('eve.notify@example.com');
    const asDan = await call(NOTIFICATIONS, { reps: [{ __typename: 'Customer', id: eve.customer.id }] }, dan.token);
    expect(errorCodes(asDan)).toEqual(['FORBIDDEN']);

    const admin = await call(
      `mutation { login(input: { email: "admin@example.com", password: "admin-password-for-tests" }) { token } }`,
      {},
    );
    const reps = [dan, eve].map((c) => ({ __typename: 'Customer', id: c.customer.id }));
    counter.reset();
    const res = await call(NOTIFICATIONS, { reps }, admin.data?.login.token);
    expect(res.errors).toBeUndefined();
    // One query for the customers, one for all their notifications.
    expect(counter.statements).toHaveLength(2);
  });
});
