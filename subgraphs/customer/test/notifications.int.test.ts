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
import { querySql } from '@commerce-supergraph/test-support/sql';
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
  notifications: { sweepIntervalMs: 200, retryBaseMs: 100 },
});
let server: RunningServer;
let orders: StandInPublisher;

const call = (query: string, variables: Record<string, unknown>, token?: string, requestId?: string) =>
  postGraphQL(server.url, query, variables, {
    token,
    gatewaySecret: TEST_GATEWAY_SECRET,
    headers: requestId ? { 'x-request-id': requestId } : {},
  });

async function register(email: string) {
  const res = await call(REGISTER, { input: { name: 'N', email, password: 'password123' } });
  return res.data?.registerCustomer as { token: string; customer: { id: string } };
}

const notificationsOf = async (customer: { token: string; customer: { id: string } }) =>
  (await call(NOTIFICATIONS, { reps: [{ __typename: 'Customer', id: customer.customer.id }] }, customer.token)).data
    ?._entities[0].notifications as { id: string; subject: string; body: string; createdAt: string }[];

const confirmed = (customerId: string) => ({ orderId: randomUUID(), customerId, total: '59.80', currency: 'USD' });

/** A customer's notifications not sent yet (or all of them), as stored. */
const unsent = (customerId: string, all = false) =>
  querySql<{ id: string; send_attempts: number; last_error: string | null }>(
    config.dbName,
    `select id, send_attempts, last_error from notifications where customer_id = ? ${all ? '' : 'and sent_at is null'}`,
    [customerId],
  );

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
    await vi.waitFor(() => expect(notifier.sent.filter((n) => n.customerId === id)).toHaveLength(3), WAIT);
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
    await vi.waitFor(async () => expect(await unsent(bob.customer.id)).toEqual([]), WAIT);
    expect(notifier.sent.filter((n) => n.customerId === bob.customer.id)).toHaveLength(2);
  });

  it('keeps the notification when sending fails, and sends it once when a retry goes through', async () => {
    const cleo = await register('cleo.notify@example.com');
    notifier.failures = 1;
    const attemptsBefore = notifier.attempts;
    const event = await orders.publish(ConsumedSubjects.orderConfirmed, confirmed(cleo.customer.id));
    await vi.waitFor(
      async () => expect(notifier.sent.filter((n) => n.customerId === cleo.customer.id)).toHaveLength(1),
      WAIT,
    );
    expect(notifier.attempts - attemptsBefore).toBe(2);
    // The event was handled once: the failed send was retried from the stored row, not by redelivery.
    expect(await handledCount(config, event.id)).toBe(1);
    expect(await notificationsOf(cleo)).toHaveLength(1);
    // Marked sent (which clears the error) just after the send: marks are batched.
    await vi.waitFor(async () => expect(await unsent(cleo.customer.id)).toEqual([]), WAIT);
    const [row] = await unsent(cleo.customer.id, true);
    expect(row).toMatchObject({ send_attempts: 2, last_error: null });
  });

  it('sends a notification once when the transaction that stored it fails at commit and is retried', async () => {
    const fay = await register('fay.notify@example.com');
    // The first commit storing a notification for Fay fails (a deferred trigger, checked at commit,
    // after the handler ran); the sequence is not rolled back with it, so the retry commits.
    await querySql(config.dbName, 'create sequence fay_commits');
    await querySql(
      config.dbName,
      `create function refuse_first_commit() returns trigger language plpgsql as $$
       begin
         if nextval('fay_commits') = 1 then raise exception 'commit refused (test)'; end if;
         return null;
       end $$`,
    );
    await querySql(
      config.dbName,
      `create constraint trigger refuse_first_commit after insert on notifications
       deferrable initially deferred for each row
       when (new.customer_id = '${fay.customer.id}') execute function refuse_first_commit()`,
    );
    try {
      const event = await orders.publish(ConsumedSubjects.orderConfirmed, confirmed(fay.customer.id));
      await vi.waitFor(async () => expect(await handledCount(config, event.id)).toBe(1), WAIT);
      expect((await querySql<{ n: string }>(config.dbName, `select last_value as n from fay_commits`))[0]?.n).toBe('2');
      const sentToFay = () => notifier.sent.filter((n) => n.customerId === fay.customer.id);
      await vi.waitFor(() => expect(sentToFay().length).toBeGreaterThan(0), WAIT);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(sentToFay()).toHaveLength(1);
      expect(await notificationsOf(fay)).toHaveLength(1);
      expect(await unsent(fay.customer.id)).toEqual([]);
    } finally {
      await querySql(config.dbName, 'drop trigger refuse_first_commit on notifications');
    }
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
    // Counted for this request alone: the notification dispatcher sweeps meanwhile.
    const res = await call(NOTIFICATIONS, { reps }, admin.data?.login.token, 'req-notifications-n');
    expect(res.errors).toBeUndefined();
    // One query for the customers, one for all their notifications.
    expect(counter.forRequest('req-notifications-n')).toHaveLength(2);
  });
});
