import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCustomerOrders, orderCursorKey } from '../src/domain/order-listing.js';
import { itemsOfOrders } from '../src/domain/reads.js';
import { CancellationReason, Order, OrderItem, OrderStatus } from '../src/entities/index.js';
import { openTestDatabase, type TestDatabase } from './helpers.js';

// The hand-written reads must answer what em.find answered: the same rows, order and fields.
let db: TestDatabase;
const customerId = randomUUID();
const stranger = randomUUID();
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute, 0, 123));
const fields = (o: Order) => ({
  id: o.id,
  customerId: o.customerId,
  status: o.status,
  total: o.total,
  rejectionReason: o.rejectionReason,
  cancellationReason: o.cancellationReason,
  createdAt: o.createdAt,
  confirmedAt: o.confirmedAt,
  updatedAt: o.updatedAt,
  version: o.version,
});
const itemFields = (i: OrderItem) => ({
  id: i.id,
  order: i.order.id,
  position: i.position,
  productId: i.productId,
  productName: i.productName,
  quantity: i.quantity,
  unitPrice: i.unitPrice,
  lineTotal: i.lineTotal,
});
/** What em.find says the whole list is, newest first. */
const reference = () => db.orm.em.fork().find(Order, { customerId }, { orderBy: { createdAt: 'desc', id: 'desc' } });

beforeAll(async () => {
  db = await openTestDatabase();
  const em = db.orm.em.fork();
  // Minute 3 twice: the id must break the tie.
  for (const [n, minute] of [1, 3, 3, 2, 5].entries()) {
    const order = em.create(Order, {
      customerId,
      totalAmount: `${10 * n + 1}.50`,
      currency: 'EUR',
      createdAt: at(minute),
      updatedAt: at(minute + 10),
      ...(n === 1 ? { status: OrderStatus.CANCELLED, cancellationReason: CancellationReason.CUSTOMER } : {}),
      ...(n === 2 ? { status: OrderStatus.CONFIRMED, confirmedAt: at(30), version: 2 } : {}),
    });
    // Placed in the order 2, 0, 1 by position: the lines must come back by position.
    for (const position of [2, 0, 1]) {
      em.create(OrderItem, {
        order,
        position,
        productId: randomUUID(),
        productName: `Item ${n}.${position}`,
        quantity: position + 1,
        unitPriceAmount: '3.10',
        lineTotalAmount: `${(3.1 * (position + 1)).toFixed(2)}`,
        currency: 'EUR',
      });
    }
  }
  em.create(Order, { customerId: stranger, totalAmount: '1.00', currency: 'USD', createdAt: at(4) });
  await em.flush();
});
afterAll(() => db?.dispose());

describe('listCustomerOrders', () => {
  it('pages newest first, ties by id, with the count of all, exactly as em.find orders them', async () => {
    const all = await reference();
    expect(all).toHaveLength(5);
    const first = await listCustomerOrders(db.orm.em.fork(), customerId, { limit: 3 });
    expect(first.totalCount).toBe(5);
    expect(first.rows.map(fields)).toEqual(all.slice(0, 3).map(fields));
    expect(first.rows[0]).toBeInstanceOf(Order);
    const after = orderCursorKey(first.rows[1] as Order);
    const rest = await listCustomerOrders(db.orm.em.fork(), customerId, { after, limit: 10 });
    expect(rest.totalCount).toBe(5);
    expect(rest.rows.map(fields)).toEqual(all.slice(2).map(fields));
    expect(rest.rows.map((o) => o.total.amount)).toEqual(all.slice(2).map((o) => o.totalAmount));
  });

  it('gives the count with an empty page, and nothing for another customer or a bad id', async () => {
    const all = await reference();
    const last = orderCursorKey(all.at(-1) as Order);
    expect(await listCustomerOrders(db.orm.em.fork(), customerId, { after: last, limit: 3 })).toEqual({
      rows: [],
      totalCount: 5,
    });
    expect(await listCustomerOrders(db.orm.em.fork(), randomUUID(), { limit: 3 })).toEqual({
      rows: [],
      totalCount: 0,
    });
    const theirs = await listCustomerOrders(db.orm.em.fork(), stranger, { limit: 3 });
    expect(theirs.totalCount).toBe(1);
    expect(theirs.rows.map((o) => o.customerId)).toEqual([stranger]);
    expect(await listCustomerOrders(db.orm.em.fork(), 'not-a-uuid', { limit: 3 })).toEqual({
      rows: [],
      totalCount: 0,
    });
  });
});

describe('listCustomerOrders withItems', () => {
  it("gives each order's lines by position in the same statement, as em.find gives them", async () => {
    const page = await listCustomerOrders(db.orm.em.fork(), customerId, { limit: 4, withItems: true });
    expect(page.totalCount).toBe(5);
    expect(page.rows.map(fields)).toEqual((await reference()).slice(0, 4).map(fields));
    expect([...(page.items?.keys() ?? [])]).toEqual(page.rows.map((o) => o.id));
    const orm = await db.orm.em
      .fork()
      .find(OrderItem, { order: { $in: page.rows.map((o) => o.id) } }, { orderBy: { position: 'asc' } });
    for (const order of page.rows) {
      const lines = page.items?.get(order.id) ?? [];
      expect(lines.map(itemFields)).toEqual(orm.filter((i) => i.order.id === order.id).map(itemFields));
      expect(lines.map((i) => i.position)).toEqual([0, 1, 2]);
      expect(lines[0]).toBeInstanceOf(OrderItem);
    }
    expect(itemFields(page.items?.get(page.rows[0]?.id as string)?.[2] as OrderItem)).toMatchObject({
      quantity: 3,
      unitPrice: { amount: '3.10', currencyCode: 'EUR' },
      lineTotal: { amount: '9.30', currencyCode: 'EUR' },
    });
  });

  it('gives an order without lines an empty list, and an empty page an empty map', async () => {
    const theirs = await listCustomerOrders(db.orm.em.fork(), stranger, { limit: 3, withItems: true });
    expect(theirs.rows).toHaveLength(1);
    expect(theirs.items).toEqual(new Map([[theirs.rows[0]?.id, []]]));
    const none = await listCustomerOrders(db.orm.em.fork(), randomUUID(), { limit: 3, withItems: true });
    expect(none).toEqual({ rows: [], totalCount: 0, items: new Map() });
    expect((await listCustomerOrders(db.orm.em.fork(), customerId, { limit: 3 })).items).toBeUndefined();
  });
});

describe('itemsOfOrders', () => {
  it("answers every order's lines by position, with every field em.find gives", async () => {
    const orderIds = (await reference()).slice(0, 2).map((o) => o.id);
    const fast = await itemsOfOrders(db.orm.em.fork(), [...orderIds, randomUUID(), 'not-a-uuid']);
    const orm = await db.orm.em
      .fork()
      .find(OrderItem, { order: { $in: orderIds } }, { orderBy: { order: 'asc', position: 'asc' } });
    expect(fast.map(itemFields)).toEqual(orm.map(itemFields));
    expect(fast).toHaveLength(6);
    for (const id of orderIds) {
      expect(fast.filter((i) => i.order.id === id).map((i) => i.position)).toEqual([0, 1, 2]);
    }
    expect(fast[1]).toBeInstanceOf(OrderItem);
    expect(itemFields(fast[1] as OrderItem)).toMatchObject({
      quantity: 2,
      unitPrice: { amount: '3.10', currencyCode: 'EUR' },
      lineTotal: { amount: '6.20', currencyCode: 'EUR' },
    });
    expect(await itemsOfOrders(db.orm.em.fork(), [])).toEqual([]);
  });
});
