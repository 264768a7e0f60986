import { randomUUID } from 'node:crypto';
import type { Orm } from '@commerce-supergraph/shared/db/orm';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { OutboxMessage } from '@commerce-supergraph/shared/events/outbox';
import { messagesSent } from '@commerce-supergraph/test-support/round-trips';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ReserveOutcome, release } from '../src/domain/inventory.js';
import { type GroupOrder, lockOrders, reserveGroup } from '../src/domain/reserve.js';
import { Product, Reservation, ReservationRejection } from '../src/entities/index.js';
import { cause, makeProduct, openTestDatabase, reserveNow, type TestDatabase } from './helpers.js';

// A group's reservation must leave exactly what reserving its orders one by one, in order, leaves.
let db: TestDatabase;
let orm: Orm;

beforeAll(async () => {
  db = await openTestDatabase();
  orm = db.orm;
});
afterAll(() => db?.dispose());

/** Five units of one product, three of another; orders that compete for them, a repeat and a released one. */
async function scenario() {
  const lamp = await makeProduct(orm, { initialStock: 5 });
  const desk = await makeProduct(orm, { initialStock: 3 });
  const [a, b, c, d, e] = Array.from({ length: 5 }, () => randomUUID()) as [string, string, string, string, string];
  await release(orm.em.fork(), e); // cancelled before its reservation: a tombstone
  const line = (product: Product, quantity: number) => ({ productId: product.id, quantity });
  const orders: GroupOrder[] = [
    { orderId: a, lines: [line(lamp, 2), line(desk, 1)], cause: cause() },
    { orderId: b, lines: [line(lamp, 2)], cause: cause() },
    { orderId: c, lines: [line(lamp, 2), line(desk, 1)], cause: cause() }, // 1 lamp left: short
    { orderId: d, lines: [line(lamp, 1), line(desk, 1), line(desk, 1)], cause: cause() }, // desk twice: 2
    { orderId: a, lines: [line(lamp, 2), line(desk, 1)], cause: cause() }, // a repeat: holds nothing more
    { orderId: e, lines: [line(lamp, 1)], cause: cause() },
  ];
  return { products: [lamp, desk], orders };
}

/** `value` with every object's keys in one order (jsonb keeps them in its own). */
const sortedKeys = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(sortedKeys)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .toSorted(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, sortedKeys(v)]),
        )
      : value;

/** Everything the reservations left, with the order ids replaced by their place in the scenario. */
async function state(products: Product[], orders: GroupOrder[]) {
  const ids = [...new Set(orders.map(({ orderId }) => orderId))];
  const name = (orderId: string) => `order ${ids.indexOf(orderId)}`;
  const em = orm.em.fork();
  const stock = await em.find(Product, { id: { $in: products.map(({ id }) => id) } }, { orderBy: { sku: 'asc' } });
  const held = await em.find(Reservation, { orderId: { $in: ids } });
  const rejected = await em.find(ReservationRejection, { orderId: { $in: ids } });
  const events = await em.find(OutboxMessage, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const productName = new Map(products.map((product, i) => [product.id, `product ${i}`]));
  // Ids differ between the two runs: each by its place in the scenario, wherever it appears.
  const named = (value: unknown) =>
    [...ids.map((id) => [id, name(id)]), ...productName].reduce(
      (text, [id, label]) => text.replaceAll(id as string, label as string),
      JSON.stringify(value),
    );
  return {
    stock: stock.map(({ onHand, reserved }) => ({ onHand, reserved })),
    held: held.map((row) => `${name(row.orderId)}: ${row.quantity} of ${productName.get(row.product.id)}`).toSorted(),
    rejected: rejected.map((row) => named([row.orderId, row.shortLines])).toSorted(),
    events: events
      .filter((event) => ids.includes((event.payload.data as { orderId?: string }).orderId ?? ''))
      // What each event says, its data whole (JSON with its keys in one order, as the consumers read it).
      .map((event) => `${event.subject} ${named(sortedKeys(event.payload.data))}`)
      // One transaction's rows share their created_at: their order among different orders is no fact.
      .toSorted(),
  };
}

it('leaves what reserving the orders one by one leaves: stock, holds, rejections and events', async () => {
  const alone = await scenario();
  const outcomesAlone = [];
  for (const { orderId, lines, cause } of alone.orders)
    outcomesAlone.push(await reserveNow(orm.em.fork(), orderId, lines, cause));

  const grouped = await scenario();
  let outcomesGrouped: ReserveOutcome[] = [];
  const sent = await messagesSent(orm, async () => {
    outcomesGrouped = await unitOfWork(orm.em.fork(), async (tx) => {
      await lockOrders(
        tx,
        grouped.orders.map(({ orderId, lines }) => ({ orderId, items: lines })),
      );
      return reserveGroup(tx, grouped.orders);
    });
  });
  // The group's locks; its orders' earlier outcomes with their stock; one UPDATE and the rest with the commit.
  expect(sent.map((message) => message.split(/\s/)[0])).toEqual(['begin;', 'select', '/*']);
  expect(sent[2]).toMatch(/^\/\* with next \*\/ update products.*commit$/s);

  // Short lines name products, which differ between the two runs: by their place in the scenario.
  const named = (outcomes: unknown[], products: Product[]) =>
    JSON.parse(
      JSON.stringify(outcomes)
        .replaceAll(products[0]?.id as string, 'lamp')
        .replaceAll(products[1]?.id as string, 'desk'),
    );
  expect(named(outcomesGrouped, grouped.products)).toEqual(named(outcomesAlone, alone.products));
  expect(named(outcomesGrouped, grouped.products)[2]).toEqual({
    ok: false,
    shortLines: [{ productId: 'lamp', requested: 2, available: 1 }],
  });
  expect(
    outcomesGrouped.map((outcome) => (outcome.ok ? 'reserved' : 'released' in outcome ? 'released' : 'short')),
  ).toEqual(['reserved', 'reserved', 'short', 'reserved', 'reserved', 'released']);
  const after = await state(grouped.products, grouped.orders);
  expect(after).toEqual(await state(alone.products, alone.orders));
  expect(after.stock).toEqual([
    { onHand: 5, reserved: 5 },
    { onHand: 3, reserved: 3 },
  ]);
});

it('refuses a group with a bad line as a whole, before storing anything (each order then goes alone)', async () => {
  const lamp = await makeProduct(orm, { initialStock: 5 });
  const good = { orderId: randomUUID(), lines: [{ productId: lamp.id, quantity: 1 }], cause: cause() };
  const bad = { orderId: randomUUID(), lines: [{ productId: lamp.id, quantity: 0 }], cause: cause() };
  await expect(unitOfWork(orm.em.fork(), (tx) => reserveGroup(tx, [good, bad]))).rejects.toThrow(RangeError);
  const em = orm.em.fork();
  expect(await em.findOneOrFail(Product, { id: lamp.id })).toMatchObject({ onHand: 5, reserved: 0 });
  expect(await em.count(Reservation, { orderId: { $in: [good.orderId, bad.orderId] } })).toBe(0);
});
