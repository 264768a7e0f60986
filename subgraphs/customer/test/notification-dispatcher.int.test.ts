import { createLogger } from '@commerce-supergraph/shared/logging';
import { openTestDatabase, type TestDatabase, testDatabaseName } from '@commerce-supergraph/test-support/database';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { NotificationDispatcher } from '../src/domain/notification-dispatcher.js';
import { notifyCustomer, notifyCustomers } from '../src/domain/notifications.js';
import { Customer, entities, Notification } from '../src/entities/index.js';
import { migrations } from '../src/migrations/index.js';
import type { OutgoingNotification } from '../src/ports/notifier.js';
import { RecordingNotifier } from './notification-helpers.js';

const WAIT = { timeout: 15_000, interval: 50 };
let db: TestDatabase;
const dispatchers: NotificationDispatcher[] = [];

beforeEach(async () => {
  db = await openTestDatabase({ dbName: testDatabaseName('dispatch'), entities, migrations });
});
afterEach(async () => {
  for (const dispatcher of dispatchers.splice(0)) await dispatcher.stop(500);
  await db.dispose();
});

async function storeNotifications(count: number): Promise<string> {
  const em = db.orm.em.fork();
  const customer = em.create(Customer, { name: 'Ada', email: 'ada.dispatch@example.com', passwordHash: 'x' });
  await em.flush();
  for (let n = 0; n < count; n++) {
    await notifyCustomer(db.orm.em.fork(), customer.id, { subject: `Message ${n}`, body: `Body ${n}` });
  }
  return customer.id;
}

const start = (dispatcher: NotificationDispatcher) => {
  dispatchers.push(dispatcher);
  dispatcher.start();
};

const unsentCount = () => db.orm.em.fork().count(Notification, { sentAt: null });

it('sends every stored notification exactly once with two instances dispatching at once', async () => {
  await storeNotifications(40);
  // 10 ms a send: a batch of 5 outlasts a 50 ms sweep interval, so neither instance can send all 40
  // before the other's sweep comes (with instant sends one did, on a slow machine, and this test
  // proved nothing about two at once).
  const [first, second] = [new RecordingNotifier(10), new RecordingNotifier(10)];
  const options = { log: createLogger('test'), sweepIntervalMs: 50, batchSize: 5 };
  const secondOrm = await db.openAnother();
  start(new NotificationDispatcher(db.orm, first, options));
  start(new NotificationDispatcher(secondOrm, second, options));
  await vi.waitFor(async () => expect(await unsentCount()).toBe(0), WAIT);
  const ids = [...first.sent, ...second.sent].map((n) => n.notificationId);
  expect(ids).toHaveLength(40);
  expect(new Set(ids).size).toBe(40);
  expect(first.sent.length).toBeGreaterThan(0);
  expect(second.sent.length).toBeGreaterThan(0);
});

it('sends again with the same id as idempotency key when an instance died between sending and recording it', async () => {
  await storeNotifications(1);
  const attempts: OutgoingNotification[] = [];
  // The first instance hands the message over, then dies before recording it as sent.
  const dying = {
    send(notification: OutgoingNotification) {
      attempts.push(notification);
      return new Promise<void>(() => undefined);
    },
  };
  start(new NotificationDispatcher(db.orm, dying, { log: createLogger('test'), leaseMs: 300, sweepIntervalMs: 50 }));
  await vi.waitFor(() => expect(attempts).toHaveLength(1), WAIT);
  const survivor = new RecordingNotifier();
  const options = { log: createLogger('test'), leaseMs: 300, sweepIntervalMs: 50 };
  start(new NotificationDispatcher(await db.openAnother(), survivor, options));
  await vi.waitFor(async () => expect(await unsentCount()).toBe(0), WAIT);
  expect(survivor.sent.map((n) => n.notificationId)).toEqual([attempts[0]?.notificationId]);
});

it('sends a notification from memory right after its commit: no claim, and marked sent', async () => {
  const notifier = new RecordingNotifier();
  // No sweep for an hour: only the commit can hand the notifications over.
  start(new NotificationDispatcher(db.orm, notifier, { log: createLogger('test'), sweepIntervalMs: 3_600_000 }));
  const started = performance.now();
  await storeNotifications(5);
  await vi.waitFor(async () => expect(await unsentCount()).toBe(0), { timeout: 2_000, interval: 10 });
  expect(performance.now() - started).toBeLessThan(1_500);
  expect(notifier.sent.map((n) => n.subject)).toEqual([0, 1, 2, 3, 4].map((n) => `Message ${n}`));
  expect(notifier.sent.every((n) => n.to === 'ada.dispatch@example.com')).toBe(true);
  const rows = await db.orm.em.fork().find(Notification, {});
  // One attempt each: counted though no claim counted it.
  expect(rows.map((row) => row.sendAttempts)).toEqual([1, 1, 1, 1, 1]);
});

it("stores a group's messages with one read of their customers' addresses: each known customer's, none for an unknown one", async () => {
  const em = db.orm.em.fork();
  const ada = em.create(Customer, { name: 'Ada', email: 'ada.group@example.com', passwordHash: 'x' });
  const bob = em.create(Customer, { name: 'Bob', email: 'bob.group@example.com', passwordHash: 'x' });
  await em.flush();
  const message = (subject: string) => ({ subject, body: `${subject} body` });
  const stored = await notifyCustomers(db.orm.em.fork(), [
    { customerId: ada.id, message: message('first') },
    { customerId: crypto.randomUUID(), message: message('lost') },
    { customerId: bob.id, message: message('second') },
    { customerId: ada.id, message: message('third') },
    { customerId: 'not-a-uuid', message: message('malformed') },
  ]);
  expect(stored).toEqual([true, false, true, true, false]);
  const rows = await db.orm.em.fork().find(Notification, {}, { orderBy: { id: 'asc' } });
  expect(rows.map(({ customerId, subject }) => [customerId, subject])).toEqual([
    [ada.id, 'first'],
    [bob.id, 'second'],
    [ada.id, 'third'],
  ]);
});
