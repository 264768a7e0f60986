import { randomUUID } from 'node:crypto';
import type { Orm } from '@commerce-supergraph/shared/db/orm';
import { describe, expect, it } from 'vitest';
import { eraseCustomer } from '../src/domain/erasure.js';
import { placeOrder } from '../src/domain/place-order.js';
import { confirmOrder } from '../src/domain/transitions.js';
import { Order, OrderStatus } from '../src/entities/index.js';
import { cause, outboxFor, twoInstances } from './helpers.js';

const world = twoInstances('10.00');

const place = (customerId: string, idempotencyKey?: string, on: Orm = world.orm) =>
  placeOrder(
    on.em.fork(),
    customerId,
    { items: [{ productId: world.productId, quantity: 1 }], idempotencyKey },
    cause(),
  );
const cancelledEvents = async (orderId: string) =>
  (await outboxFor(world.orm, orderId)).filter(([subject]) => subject === 'orders.order.cancelled.v1');

describe('erasing a deleted customer', () => {
  it('cancels open orders (with their cancelled events), keeps closed ones without idempotency keys, and is idempotent', async () => {
    const customerId = randomUUID();
    const pending = await place(customerId, 'key-pending');
    const confirmed = await place(customerId, 'key-confirmed');
    if (!pending.ok || !confirmed.ok) throw new Error('orders refused');
    await confirmOrder(world.orm.em.fork(), confirmed.value.id, cause());
    const bystander = await place(randomUUID());

    expect(await eraseCustomer(world.orm.em.fork(), customerId, new Date(), cause())).toBe(2);
    const orders = await world.orm.em.fork().find(Order, { customerId });
    expect(orders.map((order) => [order.status, order.idempotencyKey, order.totalAmount])).toEqual([
      [OrderStatus.CANCELLED, null, '10.00'],
      [OrderStatus.CANCELLED, null, '10.00'],
    ]);
    expect(await cancelledEvents(confirmed.value.id)).toHaveLength(1);
    // Again: nothing more is cancelled or published.
    expect(await eraseCustomer(world.orm.em.fork(), customerId, new Date(), cause())).toBe(0);
    expect(await cancelledEvents(confirmed.value.id)).toHaveLength(1);
    expect(bystander.ok && (await world.orm.em.fork().findOne(Order, { id: bystander.value.id }))?.status).toBe(
      OrderStatus.PENDING,
    );
  });

  it('refuses every placement after the erasure, and one racing it is either refused or cancelled', async () => {
    const customerId = randomUUID();
    const racing = Array.from({ length: 6 }, (_, i) => place(customerId, undefined, i % 2 ? world.other : world.orm));
    const erasure = eraseCustomer(world.other.em.fork(), customerId, new Date(), cause());
    const results = await Promise.all(racing);
    await erasure;
    for (const result of results) {
      if (!result.ok) expect(result.errors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    }
    const open = await world.orm.em
      .fork()
      .count(Order, { customerId, status: { $in: [OrderStatus.PENDING, OrderStatus.CONFIRMED] } });
    expect(open).toBe(0);
    const late = await place(customerId);
    expect(late.ok ? [] : late.errors.map((e) => [e.field?.join('.'), e.code])).toEqual([['input', 'NOT_FOUND']]);
  });
});
