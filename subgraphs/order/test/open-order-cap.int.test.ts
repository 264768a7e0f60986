import { randomUUID } from 'node:crypto';
import type { Orm } from '@commerce-supergraph/shared/db/orm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_OPEN_ORDERS, OPEN, OPEN_ORDERS_COUNT } from '../src/domain/open-order-cap.js';
import { placeOrder } from '../src/domain/place-order.js';
import { PlacementGroups } from '../src/domain/placement-groups.js';
import { cancelOrder, confirmOrder, rejectOrder } from '../src/domain/transitions.js';
import { CancellationReason, Order } from '../src/entities/index.js';
import { cause, silentLog, twoInstances } from './helpers.js';

const world = twoInstances();

const items = () => [{ productId: world.productId, quantity: 1 }];
// Each instance with its group commit, as the mutation places: races meet in groups as in service.
const groups = new WeakMap<Orm, PlacementGroups>();
const groupsOf = (on: Orm) =>
  groups.get(on) ?? (groups.set(on, new PlacementGroups(silentLog)).get(on) as PlacementGroups);
const place = (customerId: string, maxOpenOrders: number, idempotencyKey?: string, on: Orm = world.orm) =>
  placeOrder(on.em.fork(), customerId, { items: items(), idempotencyKey }, cause(), {
    limits: { maxOpenOrders },
    together: groupsOf(on),
  });
const codes = (result: Awaited<ReturnType<typeof placeOrder>>) =>
  result.ok ? [] : result.errors.map((e) => [e.field?.join('.'), e.code]);
const stored = (customerId: string) => world.orm.em.fork().count(Order, { customerId });

async function placeAccepted(customerId: string, maxOpenOrders: number): Promise<Order> {
  const result = await place(customerId, maxOpenOrders);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result.value;
}

describe('open-order cap', () => {
  it('refuses a customer at the cap with TOO_MANY_OPEN_ORDERS, and counts only PENDING and CONFIRMED', async () => {
    const customerId = randomUUID();
    const pending = await placeAccepted(customerId, 3);
    const confirmed = await placeAccepted(customerId, 3);
    const toReject = await placeAccepted(customerId, 3);
    await confirmOrder(world.orm.em.fork(), confirmed.id, cause());

    const refused = await place(customerId, 3);
    expect(codes(refused)).toEqual([['input', 'TOO_MANY_OPEN_ORDERS']]);
    expect(refused.ok ? '' : refused.errors[0]?.message).toBe(
      'You have 3 open orders, the most allowed; pay or cancel one before placing another',
    );
    expect(await stored(customerId)).toBe(3);
    // Another customer is not held back.
    expect((await place(randomUUID(), 3)).ok).toBe(true);

    // A rejected and a cancelled order are not open: each frees a place.
    await rejectOrder(world.orm.em.fork(), toReject.id, 'Not enough stock', cause());
    await placeAccepted(customerId, 3);
    expect(codes(await place(customerId, 3))).toEqual([['input', 'TOO_MANY_OPEN_ORDERS']]);
    await cancelOrder(world.orm.em.fork(), pending.id, CancellationReason.CUSTOMER, cause());
    await placeAccepted(customerId, 3);
    expect(await stored(customerId)).toBe(5);
  });

  it('lets exactly the allowed number through when placements race, on two instances', async () => {
    const customerId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => place(customerId, 5, undefined, i % 2 ? world.orm : world.other)),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(5);
    expect(results.filter((result) => codes(result)[0]?.[1] === 'TOO_MANY_OPEN_ORDERS')).toHaveLength(15);
    expect(await stored(customerId)).toBe(5);

    // One place left and two racing for it: exactly one gets it.
    const second = randomUUID();
    for (let n = 0; n < 4; n++) await placeAccepted(second, 5);
    const pair = await Promise.all([place(second, 5, undefined, world.orm), place(second, 5, undefined, world.other)]);
    expect(pair.map((result) => result.ok).sort()).toEqual([false, true]);
    expect(await stored(second)).toBe(5);
  });

  it('answers a repeated idempotency key with its order even at the cap, also when the repeat raced it', async () => {
    const customerId = randomUUID();
    const first = await place(customerId, 2, 'cart-1');
    const again = await place(customerId, 2, 'cart-1');
    expect(again.ok && first.ok && again.value.id === first.value.id).toBe(true);

    const doubled = await Promise.all([
      place(customerId, 2, 'cart-2', world.orm),
      place(customerId, 2, 'cart-2', world.other),
    ]);
    expect(doubled.every((result) => result.ok)).toBe(true);
    expect(new Set(doubled.map((result) => result.ok && result.value.id)).size).toBe(1);
    expect(codes(await place(customerId, 2, 'cart-3'))).toEqual([['input', 'TOO_MANY_OPEN_ORDERS']]);
    expect((await place(customerId, 2, 'cart-2')).ok).toBe(true);
    expect(await stored(customerId)).toBe(2);
  });

  it(`caps at ${DEFAULT_MAX_OPEN_ORDERS} open orders when no limit is given`, async () => {
    const customerId = randomUUID();
    for (let n = 0; n < DEFAULT_MAX_OPEN_ORDERS; n++) {
      expect((await placeOrder(world.orm.em.fork(), customerId, { items: items() }, cause())).ok).toBe(true);
    }
    const refused = await placeOrder(world.orm.em.fork(), customerId, { items: items() }, cause());
    expect(codes(refused)).toEqual([['input', 'TOO_MANY_OPEN_ORDERS']]);
  });

  it("counts a customer's open orders on the index of open orders alone, past a long history of closed ones", async () => {
    const customerId = randomUUID();
    const em = world.orm.em.fork();
    // 300 paid and cancelled orders, then two open ones.
    await em.execute(
      `insert into orders (id, customer_id, status, cancellation_reason, total_amount, currency, created_at, updated_at)
         select gen_random_uuid(), ?, s, case when s = 'CANCELLED' then 'CUSTOMER'::cancellation_reason end, 1, 'USD', now(), now()
           from generate_series(1, 150), unnest(array['PAID', 'CANCELLED']::order_status[]) as s`,
      [customerId],
    );
    await placeAccepted(customerId, DEFAULT_MAX_OPEN_ORDERS);
    await placeAccepted(customerId, DEFAULT_MAX_OPEN_ORDERS);
    await em.execute('analyze orders');

    const [{ open }] = await em.execute<[{ open: number }]>(`select (${OPEN_ORDERS_COUNT}) as open`, [
      customerId,
      OPEN,
    ]);
    expect(open).toBe(2);
    // A table this small is read whole (a sequential scan); with that ruled out the planner picks
    // between the two indexes on customer_id, as it does on a table of production's size.
    const plan = await em.transactional(async (tx) => {
      await tx.execute('set local enable_seqscan = off');
      const [row] = await tx.execute<[{ 'QUERY PLAN': unknown }]>(`explain (format json) ${OPEN_ORDERS_COUNT}`, [
        customerId,
        OPEN,
      ]);
      return row['QUERY PLAN'];
    });
    // The scan under the count: the partial index, not the customer's index of all orders and their rows.
    expect(JSON.stringify(plan)).toContain('"Index Name":"orders_customer_id_open_index"');
    expect(JSON.stringify(plan)).not.toContain('orders_customer_id_created_at_id_index');
  });
});
