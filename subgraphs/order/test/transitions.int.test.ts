import { randomUUID } from 'node:crypto';
import type { Orm } from '@commerce-supergraph/shared/db/orm';
import { createEnvelope } from '@commerce-supergraph/shared/events/envelope';
import { withInbox } from '@commerce-supergraph/shared/events/inbox';
import { KickAfterCommit } from '@commerce-supergraph/shared/events/kick-after-commit';
import { OutboxMessage } from '@commerce-supergraph/shared/events/outbox';
import { messagesSent } from '@commerce-supergraph/test-support/round-trips';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireUnpaidOrders, rejectUnansweredOrders, unansweredReason } from '../src/domain/expiry.js';
import { cancelOrder, confirmOrder, confirmOrders, rejectOrder, rejectOrders } from '../src/domain/transitions.js';
import { CancellationReason, Order, OrderStatus } from '../src/entities/index.js';
import { OrderSubjects } from '../src/events/contracts/published.js';
import { confirmReserved } from '../src/events/handlers/reservation-results.js';
import { cause, openTestDatabase, orderOf, outboxFor, priceProduct, silentLog, type TestDatabase } from './helpers.js';

let db: TestDatabase;
let orm: Orm;
let productId: string;

beforeAll(async () => {
  db = await openTestDatabase();
  orm = db.orm;
  productId = (await priceProduct(orm)).id;
});
afterAll(() => db?.dispose());

/** Whether confirmOrder found the order PENDING, told after its own commit. */
const confirms = async (em: EntityManager, id: string) => (await confirmOrder(em, id, cause())).confirmed;
const statusOf = async (id: string) => (await orm.em.fork().findOneOrFail(Order, { id })).status;
const subjects = async (id: string) => (await outboxFor(orm, id)).map(([subject]) => subject);

describe('status transitions are guarded by the current status', () => {
  it('confirms a PENDING order once: a redelivered reservation changes nothing and records nothing', async () => {
    const order = await orderOf(orm, randomUUID(), productId);
    expect(await confirms(orm.em.fork(), order.id)).toBe(true);
    const first = await orm.em.fork().findOneOrFail(Order, { id: order.id });
    expect(first).toMatchObject({ status: OrderStatus.CONFIRMED, version: 2 });
    expect(first.confirmedAt).toBeInstanceOf(Date);
    expect(await confirms(orm.em.fork(), order.id)).toBe(false);
    expect(await rejectOrder(orm.em.fork(), order.id, 'late', cause())).toBeUndefined();
    expect(await subjects(order.id)).toEqual([OrderSubjects.created, OrderSubjects.confirmed]);
    expect((await outboxFor(orm, order.id))[1]?.[1]).toEqual({
      orderId: order.id,
      customerId: order.customerId,
      total: '39.98',
      currency: 'USD',
    });
  });

  it('confirms in one message to PostgreSQL: with the inbox claim when handling a reservation answer', async () => {
    const order = await orderOf(orm, randomUUID(), productId);
    const handle = withInbox(orm, confirmReserved);
    const answer = createEnvelope({
      subject: 'inventory.reservation.reserved.v1',
      source: 'product',
      data: { orderId: order.id, lines: [{ productId, quantity: 2 }] },
      correlationId: `answer-${order.id}`,
    });
    const delivery = {
      consumer: 'order__reserved_test',
      deliveryCount: 1,
      streamSequence: 1,
      log: silentLog,
    };
    // The relay's commit hook: the confirmed event goes out from memory, right after the inbox's commit.
    const kicked: string[] = [];
    const hook = new KickAfterCommit(OutboxMessage, (rows) => kicked.push(...rows.map((row) => row.id)));
    orm.em.getEventManager().registerSubscriber(hook);
    const sent = await messagesSent(orm, () => handle(answer, delivery)).finally(() =>
      orm.em.getEventManager().getSubscribers().delete(hook),
    );
    // The claim, the update with its event (change-events.ts), the commit: nothing waits on an answer before it.
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(
      /^begin;\ninsert into "inbox_messages" .*;\n\/\* with next \d+ \*\/ with changed as \(update orders .*insert into outbox_messages .*;\ncommit$/s,
    );
    expect(await statusOf(order.id)).toBe(OrderStatus.CONFIRMED);
    const [, confirmed] = (await orm.em.fork().find(OutboxMessage, {}, { orderBy: { createdAt: 'asc' } })).filter(
      (row) => (row.payload.data as { orderId: string }).orderId === order.id,
    );
    expect(kicked).toEqual([confirmed?.id]);
    expect(confirmed?.payload).toMatchObject({
      type: OrderSubjects.confirmed,
      correlationId: answer.correlationId,
      causationId: answer.id,
      data: { orderId: order.id, customerId: order.customerId, total: '39.98', currency: 'USD' },
    });
  });

  it('confirms a group of orders in one statement: the PENDING ones, each with its own cause', async () => {
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => orderOf(orm, randomUUID(), productId)));
    if (!a || !b || !c) throw new Error('orders not placed');
    await cancelOrder(orm.em.fork(), b.id, CancellationReason.CUSTOMER, cause());
    const causes = [a, b, c].map((order) => ({ orderId: order.id, cause: { correlationId: `group-${order.id}` } }));
    // A repeated answer for one order in the group: it is confirmed once.
    const { confirmed } = await confirmOrders(orm.em.fork(), [...causes, causes[0] as (typeof causes)[number]]);
    expect((await confirmed).toSorted()).toEqual([a.id, c.id].toSorted());
    const stored = await orm.em.fork().find(Order, { id: [a.id, c.id] });
    expect(stored.every((order) => order.status === OrderStatus.CONFIRMED && order.version === 2)).toBe(true);
    expect([await statusOf(a.id), await statusOf(b.id), await statusOf(c.id)]).toEqual([
      OrderStatus.CONFIRMED,
      OrderStatus.CANCELLED,
      OrderStatus.CONFIRMED,
    ]);
    const events = await orm.em.fork().find(OutboxMessage, { subject: OrderSubjects.confirmed });
    for (const order of [a, c]) {
      const mine = events.filter((event) => (event.payload.data as { orderId: string }).orderId === order.id);
      expect(mine.map((event) => event.payload.correlationId)).toEqual([`group-${order.id}`]);
    }
    expect(events.some((event) => (event.payload.data as { orderId: string }).orderId === b.id)).toBe(false);
  });

  it('rejects a group of orders in one statement: the PENDING ones, each with its own reason and cause', async () => {
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => orderOf(orm, randomUUID(), productId)));
    if (!a || !b || !c) throw new Error('orders not placed');
    await confirmOrder(orm.em.fork(), b.id, cause());
    const answers = [a, b, c].map((order) => ({
      orderId: order.id,
      reason: `Not enough stock for ${order.id}`,
      cause: { correlationId: `group-${order.id}` },
    }));
    const rejected = await rejectOrders(orm.em.fork(), [
      ...answers,
      { ...(answers[0] as (typeof answers)[number]), reason: 'repeat' },
    ]);
    expect(rejected.map((order) => order.id).toSorted()).toEqual([a.id, c.id].toSorted());
    for (const order of [a, c]) {
      const stored = await orm.em.fork().findOneOrFail(Order, { id: order.id });
      expect(stored).toMatchObject({
        status: OrderStatus.REJECTED,
        rejectionReason: `Not enough stock for ${order.id}`,
      });
      const events = await orm.em.fork().find(OutboxMessage, { subject: OrderSubjects.rejected });
      const mine = events.filter((event) => (event.payload.data as { orderId: string }).orderId === order.id);
      expect(
        mine.map((event) => [event.payload.correlationId, (event.payload.data as { reason: string }).reason]),
      ).toEqual([[`group-${order.id}`, `Not enough stock for ${order.id}`]]);
    }
    expect(await statusOf(b.id)).toBe(OrderStatus.CONFIRMED);
  });

  it('rejects with a reason, and a rejected order is neither confirmed nor cancelled after', async () => {
    const order = await orderOf(orm, randomUUID(), productId);
    expect(await rejectOrder(orm.em.fork(), order.id, 'Not enough stock for Lamp', cause())).toMatchObject({
      status: OrderStatus.REJECTED,
      rejectionReason: 'Not enough stock for Lamp',
    });
    expect(await confirms(orm.em.fork(), order.id)).toBe(false);
    expect(await cancelOrder(orm.em.fork(), order.id, CancellationReason.CUSTOMER, cause())).toBeUndefined();
    expect(await subjects(order.id)).toEqual([OrderSubjects.created, OrderSubjects.rejected]);
  });

  it('ignores a reservation that arrives after the order was cancelled while PENDING', async () => {
    const order = await orderOf(orm, randomUUID(), productId);
    expect(await cancelOrder(orm.em.fork(), order.id, CancellationReason.CUSTOMER, cause())).toMatchObject({
      status: OrderStatus.CANCELLED,
      cancellationReason: CancellationReason.CUSTOMER,
    });
    expect(await confirms(orm.em.fork(), order.id)).toBe(false);
    expect(await statusOf(order.id)).toBe(OrderStatus.CANCELLED);
    expect(await subjects(order.id)).toEqual([OrderSubjects.created, OrderSubjects.cancelled]);
  });

  it('lets exactly one of a confirm and a cancel racing on separate connections win', async () => {
    const other = await db.openAnother();
    for (let round = 0; round < 10; round++) {
      const order = await orderOf(orm, randomUUID(), productId);
      const [confirmed, cancelled] = await Promise.all([
        confirms(orm.em.fork(), order.id),
        cancelOrder(other.em.fork(), order.id, CancellationReason.CUSTOMER, cause()),
      ]);
      // Either the cancel came first (the confirm finds nothing), or both ran in turn (confirm, then cancel).
      expect(cancelled).toBeDefined();
      expect(await statusOf(order.id)).toBe(OrderStatus.CANCELLED);
      // Sorted: an outbox row's time is its transaction's start, and the cancel may start first and wait.
      const events = (await subjects(order.id)).sort();
      const expected = confirmed
        ? [OrderSubjects.created, OrderSubjects.confirmed, OrderSubjects.cancelled]
        : [OrderSubjects.created, OrderSubjects.cancelled];
      expect(events).toEqual(expected.sort());
    }
  });
});

describe('expiry of unpaid confirmed orders', () => {
  it('cancels only CONFIRMED orders past the time limit, each once, even with sweeps racing', async () => {
    const overdue = await Promise.all(
      Array.from({ length: 6 }, () => orderOf(orm, randomUUID(), productId, { confirm: true })),
    );
    const fresh = await orderOf(orm, randomUUID(), productId, { confirm: true });
    const pending = await orderOf(orm, randomUUID(), productId);
    const ids = overdue.map((o) => o.id);
    await orm.em
      .fork()
      .execute(`update orders set confirmed_at = now() - interval '1 hour' where id = any(array[?]::uuid[])`, [ids]);
    const other = await db.openAnother();
    const counts = await Promise.all([
      expireUnpaidOrders(orm.em.fork(), 600, 2),
      expireUnpaidOrders(other.em.fork(), 600, 2),
      expireUnpaidOrders(orm.em.fork(), 600, 2),
    ]);
    const rest = await expireUnpaidOrders(orm.em.fork(), 600);
    expect(counts.reduce((a, b) => a + b, 0) + rest).toBe(6);
    for (const id of ids) {
      expect(await statusOf(id)).toBe(OrderStatus.CANCELLED);
      expect(await outboxFor(orm, id)).toContainEqual([
        OrderSubjects.cancelled,
        expect.objectContaining({ reason: CancellationReason.EXPIRED }),
      ]);
      expect((await subjects(id)).filter((s) => s === OrderSubjects.cancelled)).toHaveLength(1);
    }
    expect(await statusOf(fresh.id)).toBe(OrderStatus.CONFIRMED);
    expect(await statusOf(pending.id)).toBe(OrderStatus.PENDING);
  });
});

describe('the deadline of PENDING orders', () => {
  it('rejects only orders PENDING past the deadline, each once with a reason, even with sweeps racing', async () => {
    const stale = await Promise.all(Array.from({ length: 6 }, () => orderOf(orm, randomUUID(), productId)));
    const fresh = await orderOf(orm, randomUUID(), productId);
    const confirmed = await orderOf(orm, randomUUID(), productId, { confirm: true });
    const ids = [...stale.map((o) => o.id), confirmed.id];
    await orm.em
      .fork()
      .execute(`update orders set created_at = now() - interval '1 hour' where id = any(array[?]::uuid[])`, [ids]);
    const other = await db.openAnother();
    const counts = await Promise.all([
      rejectUnansweredOrders(orm.em.fork(), 600, 2),
      rejectUnansweredOrders(other.em.fork(), 600, 2),
      rejectUnansweredOrders(orm.em.fork(), 600, 2),
    ]);
    const rest = await rejectUnansweredOrders(orm.em.fork(), 600);
    expect(counts.reduce((a, b) => a + b, 0) + rest).toBe(6);
    const reason = unansweredReason(600);
    expect(reason).toBe('Stock could not be reserved in time (no answer within 600 seconds)');
    for (const order of stale) {
      expect(await orm.em.fork().findOneOrFail(Order, { id: order.id })).toMatchObject({
        status: OrderStatus.REJECTED,
        rejectionReason: reason,
      });
      expect((await outboxFor(orm, order.id)).filter(([subject]) => subject === OrderSubjects.rejected)).toEqual([
        [OrderSubjects.rejected, { orderId: order.id, customerId: order.customerId, reason }],
      ]);
      // The reservation's answer, arriving late, changes nothing.
      expect(await confirms(orm.em.fork(), order.id)).toBe(false);
    }
    expect(await statusOf(fresh.id)).toBe(OrderStatus.PENDING);
    expect(await statusOf(confirmed.id)).toBe(OrderStatus.CONFIRMED);
  });
});
