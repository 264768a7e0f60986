import { randomUUID } from 'node:crypto';
import type { Orm } from '@commerce-supergraph/shared/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeOrder } from '../src/domain/place-order.js';
import { applyProductUpserted } from '../src/domain/price-projection.js';
import { Order, OrderItem, OrderStatus } from '../src/entities/index.js';
import { OrderSubjects } from '../src/events/contracts/published.js';
import { cause, openTestDatabase, outboxFor, priceProduct, type TestDatabase, upserted } from './helpers.js';

let db: TestDatabase;
let orm: Orm;

beforeAll(async () => {
  db = await openTestDatabase();
  orm = db.orm;
});
afterAll(() => db?.dispose());

const codes = (result: Awaited<ReturnType<typeof placeOrder>>) =>
  result.ok ? [] : result.errors.map((e) => [e.field?.join('.'), e.code]);

describe('placeOrder', () => {
  it('stores a PENDING order with price snapshots and its created event in one go', async () => {
    const lamp = await priceProduct(orm, { name: 'Desk Lamp', price: '24.90' });
    const pin = await priceProduct(orm, { name: 'Pin', price: '0.10' });
    const customerId = randomUUID();
    const items = [
      { productId: lamp.id, quantity: 2 },
      { productId: pin.id, quantity: 3 },
    ];
    const result = await placeOrder(orm.em.fork(), customerId, { items }, cause());
    if (!result.ok) throw new Error('refused');
    expect(result.value).toMatchObject({ status: OrderStatus.PENDING, totalAmount: '50.10', currency: 'USD' });
    const stored = await orm.em.fork().find(OrderItem, { order: result.value.id }, { orderBy: { position: 'asc' } });
    expect(stored.map((i) => [i.productName, i.quantity, i.unitPriceAmount, i.lineTotalAmount])).toEqual([
      ['Desk Lamp', 2, '24.90', '49.80'],
      ['Pin', 3, '0.10', '0.30'],
    ]);
    expect(await outboxFor(orm, result.value.id)).toEqual([
      [
        OrderSubjects.created,
        {
          orderId: result.value.id,
          customerId,
          items: [
            { productId: lamp.id, quantity: 2, unitPrice: '24.90' },
            { productId: pin.id, quantity: 3, unitPrice: '0.10' },
          ],
          total: '50.10',
          currency: 'USD',
        },
      ],
    ]);
  });

  it('reports every problem at once and stores nothing', async () => {
    const known = await priceProduct(orm);
    const inactive = await priceProduct(orm, { active: false });
    const customerId = randomUUID();
    const result = await placeOrder(
      orm.em.fork(),
      customerId,
      {
        items: [
          { productId: known.id, quantity: 0 },
          { productId: inactive.id, quantity: 1 },
          { productId: 'nope', quantity: 1 },
          { productId: known.id, quantity: 1 },
        ],
      },
      cause(),
    );
    expect(codes(result)).toEqual([
      ['input.items.0.quantity', 'INVALID'],
      ['input.items.3.productId', 'INVALID'],
      ['input.items.1.productId', 'UNKNOWN_PRODUCT'],
      ['input.items.2.productId', 'UNKNOWN_PRODUCT'],
    ]);
    expect(await orm.em.fork().count(Order, { customerId })).toBe(0);
  });

  it('prices from the projection as it is now: a later price applies to later orders only', async () => {
    const product = await priceProduct(orm, { price: '10.00' });
    const customerId = randomUUID();
    const first = await placeOrder(
      orm.em.fork(),
      customerId,
      { items: [{ productId: product.id, quantity: 1 }] },
      cause(),
    );
    await applyProductUpserted(orm.em.fork(), upserted({ ...product, price: '12.50' }));
    const second = await placeOrder(
      orm.em.fork(),
      customerId,
      { items: [{ productId: product.id, quantity: 1 }] },
      cause(),
    );
    expect([first, second].map((r) => (r.ok ? r.value.totalAmount : null))).toEqual(['10.00', '12.50']);
  });
});

describe('placeOrder idempotency', () => {
  it('returns the first order for a repeated key, and keys are per customer', async () => {
    const product = await priceProduct(orm);
    const customerId = randomUUID();
    const request = { items: [{ productId: product.id, quantity: 1 }], idempotencyKey: 'checkout-1' };
    const first = await placeOrder(orm.em.fork(), customerId, request, cause());
    const again = await placeOrder(orm.em.fork(), customerId, { ...request, idempotencyKey: ' checkout-1 ' }, cause());
    const someoneElse = await placeOrder(orm.em.fork(), randomUUID(), request, cause());
    expect(first.ok && again.ok && someoneElse.ok).toBe(true);
    if (!first.ok || !again.ok || !someoneElse.ok) return;
    expect(again.value.id).toBe(first.value.id);
    expect(someoneElse.value.id).not.toBe(first.value.id);
    expect(await orm.em.fork().count(Order, { customerId })).toBe(1);
    expect(await outboxFor(orm, first.value.id)).toHaveLength(1);
  });

  it('makes one order of 12 concurrent submits with one key, on two connection pools', async () => {
    const product = await priceProduct(orm);
    const other = await db.openAnother();
    const customerId = randomUUID();
    const request = { items: [{ productId: product.id, quantity: 1 }], idempotencyKey: `double-${randomUUID()}` };
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => placeOrder((i % 2 ? orm : other).em.fork(), customerId, request, cause())),
    );
    const ids = new Set(results.map((r) => (r.ok ? r.value.id : 'refused')));
    expect(ids.size).toBe(1);
    expect(ids.has('refused')).toBe(false);
    expect(await orm.em.fork().count(Order, { customerId })).toBe(1);
    expect(await outboxFor(orm, [...ids][0] as string)).toHaveLength(1);
  });
});
