import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Orm } from '@commerce-supergraph/shared/db/orm';
import {
  openStandInPublisher,
  publishWithoutMsgId,
  type StandInPublisher,
  streamEvents,
} from '@commerce-supergraph/test-support/jetstream';
import { startNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createProductSubgraph } from '../src/app.js';
import { Product, Reservation, ReservationStatus, ReservationTombstone } from '../src/entities/index.js';
import { ConsumedSubjects } from '../src/events/contracts/consumed.js';
import { INVENTORY_STREAM, ProductSubjects } from '../src/events/contracts/published.js';
import { makeProduct, openTestDatabase, type TestDatabase, testProductConfig } from './helpers.js';

const WAIT = { timeout: 20_000, interval: 50 };

// A NATS of this file's own; the order subgraph's streams are created by the stand-in below.
const nats = await startNatsServer();
const config = testProductConfig({ NATS_URL: nats.url, PRODUCT_SEED_DEMO_CATALOG: 'false' });
const subgraph = createProductSubgraph(config, { events: { relay: { sweepIntervalMs: 200 } } });
let db: TestDatabase;
let orm: Orm;
let orders: StandInPublisher;

const stock = async (id: string) => {
  const p = await orm.em.fork().findOneOrFail(Product, { id });
  return { onHand: p.onHand, reserved: p.reserved };
};
const answers = async (orderId: string) =>
  (await streamEvents(nats.url, INVENTORY_STREAM.name))
    .filter((e) => (e.data as { orderId: string }).orderId === orderId)
    .map((e) => [e.type, e.data]);
const created = (orderId: string, productId: string, quantity: number) =>
  orders.publish(ConsumedSubjects.orderCreated, {
    orderId,
    customerId: randomUUID(),
    items: [{ productId, quantity, unitPrice: '9.99' }],
    total: '9.99',
    currency: 'USD',
  });
const cancelled = (orderId: string) =>
  orders.publish(ConsumedSubjects.orderCancelled, { orderId, customerId: randomUUID(), reason: 'CUSTOMER' });
const rejected = (orderId: string) =>
  orders.publish(ConsumedSubjects.orderRejected, { orderId, customerId: randomUUID(), reason: 'No answer in time' });
const handled = async (eventId: string) =>
  (await orm.em.fork().getConnection().execute('select 1 from inbox_messages where event_id = ?', [eventId])).length;

beforeAll(async () => {
  // The product subgraph starts first: its consumers wait for the ORDERS and PAYMENTS streams.
  await subgraph.start();
  db = await openTestDatabase(config.dbName);
  orm = db.orm;
  orders = await openStandInPublisher(nats.url, 'order', [
    { name: 'ORDERS', subjects: ['orders.>'] },
    { name: 'PAYMENTS', subjects: ['payments.>'] },
  ]);
});
afterAll(async () => {
  await subgraph.stop();
  await orders?.close();
  await db?.dispose();
  await nats.dispose();
});

describe('the product side of the order saga', () => {
  it('reserves on order created and answers reserved once, also when the event comes twice', async () => {
    const product = await makeProduct(orm, { initialStock: 5 });
    const orderId = randomUUID();
    const event = await created(orderId, product.id, 2);
    await vi.waitFor(async () => expect(await answers(orderId)).toHaveLength(1), WAIT);
    await publishWithoutMsgId(nats.url, event);
    // The copy is skipped by the inbox: nothing to wait for but a moment in which a second answer would show.
    await sleep(500);
    expect(await answers(orderId)).toEqual([
      [ProductSubjects.reserved, { orderId, lines: [{ productId: product.id, quantity: 2 }] }],
    ]);
    const [answer] = (await streamEvents(nats.url, INVENTORY_STREAM.name)).filter((e) => e.causationId === event.id);
    expect(answer?.correlationId).toBe(event.correlationId);
    await vi.waitFor(async () => expect(await stock(product.id)).toEqual({ onHand: 5, reserved: 2 }), WAIT);
  });

  it('answers rejected with the short lines and holds nothing', async () => {
    const product = await makeProduct(orm, { initialStock: 1 });
    const orderId = randomUUID();
    await created(orderId, product.id, 3);
    await vi.waitFor(async () => expect(await answers(orderId)).toHaveLength(1), WAIT);
    expect(await answers(orderId)).toEqual([
      [ProductSubjects.rejected, { orderId, shortLines: [{ productId: product.id, requested: 3, available: 1 }] }],
    ]);
    expect(await stock(product.id)).toEqual({ onHand: 1, reserved: 0 });
  });

  it('releases on cancelled, and sells on payment succeeded', async () => {
    const product = await makeProduct(orm, { initialStock: 10 });
    const [kept, dropped] = [randomUUID(), randomUUID()];
    await created(kept, product.id, 4);
    await created(dropped, product.id, 3);
    await vi.waitFor(async () => expect(await stock(product.id)).toEqual({ onHand: 10, reserved: 7 }), WAIT);
    await cancelled(dropped);
    await orders.publish(ConsumedSubjects.paymentSucceeded, {
      paymentId: randomUUID(),
      orderId: kept,
      customerId: randomUUID(),
    });
    await vi.waitFor(async () => expect(await stock(product.id)).toEqual({ onHand: 6, reserved: 0 }), WAIT);
    const statuses = await orm.em
      .fork()
      .find(Reservation, { orderId: { $in: [kept, dropped] } }, { orderBy: { quantity: 'desc' } });
    expect(statuses.map((r) => r.status)).toEqual([ReservationStatus.SOLD, ReservationStatus.RELEASED]);
  });

  it('holds nothing for an order whose cancel was handled before its creation', async () => {
    const product = await makeProduct(orm, { initialStock: 4 });
    const orderId = randomUUID();
    await cancelled(orderId);
    await vi.waitFor(async () => expect(await orm.em.fork().count(ReservationTombstone, { orderId })).toBe(1), WAIT);
    const late = await created(orderId, product.id, 2);
    // The late creation is handled (its inbox row exists) and answers nothing.
    await vi.waitFor(
      async () =>
        expect(
          await orm.em.fork().getConnection().execute('select 1 from inbox_messages where event_id = ?', [late.id]),
        ).toHaveLength(1),
      WAIT,
    );
    expect(await answers(orderId)).toEqual([]);
    expect(await stock(product.id)).toEqual({ onHand: 4, reserved: 0 });
  });

  it('releases what an order rejected at its deadline held, once, however often the rejection comes', async () => {
    const product = await makeProduct(orm, { initialStock: 5 });
    const orderId = randomUUID();
    await created(orderId, product.id, 2);
    await vi.waitFor(async () => expect(await stock(product.id)).toEqual({ onHand: 5, reserved: 2 }), WAIT);
    const rejection = await rejected(orderId);
    await vi.waitFor(async () => expect(await stock(product.id)).toEqual({ onHand: 5, reserved: 0 }), WAIT);
    await publishWithoutMsgId(nats.url, rejection);
    const again = await rejected(orderId);
    await vi.waitFor(async () => expect(await handled(again.id)).toBe(1), WAIT);
    expect(await stock(product.id)).toEqual({ onHand: 5, reserved: 0 });
    const [reservation] = await orm.em.fork().find(Reservation, { orderId });
    expect(reservation?.status).toBe(ReservationStatus.RELEASED);
  });

  it('gives nothing back for an order rejected for short stock, and leaves no tombstone', async () => {
    const product = await makeProduct(orm, { initialStock: 1 });
    const orderId = randomUUID();
    await created(orderId, product.id, 3);
    await vi.waitFor(async () => expect(await answers(orderId)).toHaveLength(1), WAIT);
    const rejection = await rejected(orderId);
    await vi.waitFor(async () => expect(await handled(rejection.id)).toBe(1), WAIT);
    expect(await stock(product.id)).toEqual({ onHand: 1, reserved: 0 });
    expect(await orm.em.fork().count(ReservationTombstone, { orderId })).toBe(0);
  });

  it('holds nothing for an order whose rejection was handled before its creation', async () => {
    const product = await makeProduct(orm, { initialStock: 4 });
    const orderId = randomUUID();
    await rejected(orderId);
    await vi.waitFor(async () => expect(await orm.em.fork().count(ReservationTombstone, { orderId })).toBe(1), WAIT);
    const late = await created(orderId, product.id, 2);
    await vi.waitFor(async () => expect(await handled(late.id)).toBe(1), WAIT);
    expect(await answers(orderId)).toEqual([]);
    expect(await stock(product.id)).toEqual({ onHand: 4, reserved: 0 });
  });
});
