import { randomUUID } from 'node:crypto';
import type { Orm } from '@commerce-supergraph/shared/db/orm';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { OutboxMessage } from '@commerce-supergraph/shared/events/outbox';
import { messagesSent } from '@commerce-supergraph/test-support/round-trips';
import { CheckConstraintViolationException } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restockProduct } from '../src/domain/catalog.js';
import { commitSale, release } from '../src/domain/inventory.js';
import { takeStock } from '../src/domain/reserve.js';
import { Product, Reservation, ReservationStatus } from '../src/entities/index.js';
import { cause, makeProduct, openTestDatabase, reserveNow, type TestDatabase } from './helpers.js';

let db: TestDatabase;
let orm: Orm;

beforeAll(async () => {
  db = await openTestDatabase();
  orm = db.orm;
});
afterAll(() => db?.dispose());

/** Fresh from the database, never from an identity map. */
async function stock(productId: string) {
  const product = await orm.em.fork().findOneOrFail(Product, { id: productId });
  return { onHand: product.onHand, reserved: product.reserved, available: product.available };
}

const statuses = async (orderId: string) =>
  (await orm.em.fork().find(Reservation, { orderId }, { orderBy: { quantity: 'asc' } })).map((r) => r.status);

describe('reserve in round trips', () => {
  it("is one message with its commit: the order's lock, then one statement that decides and writes", async () => {
    const product = await makeProduct(orm, { initialStock: 5 });
    const orderId = randomUUID();
    const lines = [{ productId: product.id, quantity: 2 }];
    const first = await messagesSent(orm, () => reserveNow(orm.em.fork(), orderId, lines, cause()));
    // The earlier outcome and the stock read, the rows locked, the stock taken, the reservation and
    // its event stored: one statement (reservation-in-sql.ts), held to go with the commit.
    expect(first).toHaveLength(1);
    expect(first[0]).toMatch(
      /^begin;\n\/\* with next \*\/ select pg_advisory_xact_lock.*;\n\/\* with next \d+ \*\/ with lines as .*for update.*update products.*insert into reservations.*insert into outbox_messages.*;\ncommit$/s,
    );
    // A repeat finds the outcome in the same statement, and only announces it again.
    const again = await messagesSent(orm, () => reserveNow(orm.em.fork(), orderId, lines, cause()));
    expect(again).toHaveLength(1);
    expect(await stock(product.id)).toEqual({ onHand: 5, reserved: 2, available: 3 });
    expect(await statuses(orderId)).toEqual([ReservationStatus.RESERVED]);
  });
});

describe('reserve under concurrency', () => {
  it('gives the last 5 units to exactly 5 of 20 orders racing for them, on separate connections', async () => {
    const product = await makeProduct(orm, { initialStock: 5 });
    // Two instances of the service, each with its own pool: the race is between processes, not a queue.
    const other = await db.openAnother();
    const orders = Array.from({ length: 20 }, () => randomUUID());
    const outcomes = await Promise.all(
      orders.map((orderId, i) =>
        reserveNow((i % 2 === 0 ? orm : other).em.fork(), orderId, [{ productId: product.id, quantity: 1 }], cause()),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(5);
    const rejected = outcomes.filter((o) => !o.ok);
    expect(rejected).toHaveLength(15);
    expect(rejected[0]).toEqual({ ok: false, shortLines: [{ productId: product.id, requested: 1, available: 0 }] });
    expect(await stock(product.id)).toEqual({ onHand: 5, reserved: 5, available: 0 });
    expect(await orm.em.fork().count(Reservation, { product: product.id })).toBe(5);
  });

  it('reserves all lines of an order or none: one short line holds nothing', async () => {
    const plenty = await makeProduct(orm, { initialStock: 10 });
    const scarce = await makeProduct(orm, { initialStock: 1 });
    const orderId = randomUUID();
    const outcome = await reserveNow(
      orm.em.fork(),
      orderId,
      [
        { productId: plenty.id, quantity: 3 },
        { productId: scarce.id, quantity: 2 },
      ],
      cause(),
    );
    expect(outcome).toEqual({ ok: false, shortLines: [{ productId: scarce.id, requested: 2, available: 1 }] });
    expect(await stock(plenty.id)).toEqual({ onHand: 10, reserved: 0, available: 10 });
    expect(await stock(scarce.id)).toEqual({ onHand: 1, reserved: 0, available: 1 });
    expect(await statuses(orderId)).toEqual([]);
  });

  it('refuses a bad line with a clear error before sending anything, and stores nothing', async () => {
    const product = await makeProduct(orm, { initialStock: 5 });
    const orderId = randomUUID();
    const lines = [
      { productId: product.id, quantity: 1 },
      { productId: product.id, quantity: 0 },
    ];
    const sent = await messagesSent(orm, () =>
      expect(reserveNow(orm.em.fork(), orderId, lines, cause())).rejects.toThrow(/quantity must be >= 1, got 0/),
    );
    expect(sent).toEqual([]);
    expect(await stock(product.id)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    expect(await statuses(orderId)).toEqual([]);
    const events = await orm.em.fork().find(OutboxMessage, {});
    expect(events.filter((event) => (event.payload.data as { orderId?: string }).orderId === orderId)).toEqual([]);
  });

  it('names every short line, in the order the lines came', async () => {
    const plenty = await makeProduct(orm, { initialStock: 10 });
    const scarce = [await makeProduct(orm, { initialStock: 1 }), await makeProduct(orm, { initialStock: 1 })];
    // The higher id first: the rows are locked in id order, the answer keeps the lines' order.
    const [high, low] = scarce.toSorted((a, b) => b.id.localeCompare(a.id)) as [Product, Product];
    const lines = [
      { productId: high.id, quantity: 2 },
      { productId: plenty.id, quantity: 2 },
      { productId: low.id, quantity: 3 },
    ];
    expect(await reserveNow(orm.em.fork(), randomUUID(), lines, cause())).toEqual({
      ok: false,
      shortLines: [
        { productId: high.id, requested: 2, available: 1 },
        { productId: low.id, requested: 3, available: 1 },
      ],
    });
    expect(await stock(plenty.id)).toEqual({ onHand: 10, reserved: 0, available: 10 });
  });

  it('reports an unknown product as short with nothing available, a malformed id too', async () => {
    const missing = randomUUID();
    expect(await reserveNow(orm.em.fork(), randomUUID(), [{ productId: missing, quantity: 1 }], cause())).toEqual({
      ok: false,
      shortLines: [{ productId: missing, requested: 1, available: 0 }],
    });
    // The event contract refuses such an id first; the reservation still answers it, without an error.
    expect(await reserveNow(orm.em.fork(), randomUUID(), [{ productId: 'lamp', quantity: 2 }], cause())).toEqual({
      ok: false,
      shortLines: [{ productId: 'lamp', requested: 2, available: 0 }],
    });
  });
});

describe('idempotency per order', () => {
  it('a repeated reserve returns the first outcome and changes nothing', async () => {
    const product = await makeProduct(orm, { initialStock: 4 });
    const orderId = randomUUID();
    const lines = [{ productId: product.id, quantity: 3 }];
    expect(await reserveNow(orm.em.fork(), orderId, lines, cause())).toEqual({ ok: true });
    expect(await reserveNow(orm.em.fork(), orderId, lines, cause())).toEqual({ ok: true });
    expect(await stock(product.id)).toEqual({ onHand: 4, reserved: 3, available: 1 });
    expect(await statuses(orderId)).toEqual([ReservationStatus.RESERVED]);
  });

  it('a repeated reserve of a rejected order stays rejected, even after a restock', async () => {
    const product = await makeProduct(orm, { initialStock: 1 });
    const orderId = randomUUID();
    const first = await reserveNow(orm.em.fork(), orderId, [{ productId: product.id, quantity: 2 }], cause());
    expect(first.ok).toBe(false);
    await restockProduct(orm.em.fork(), product.id, 10);
    expect(await reserveNow(orm.em.fork(), orderId, [{ productId: product.id, quantity: 2 }], cause())).toEqual(first);
    expect(await stock(product.id)).toEqual({ onHand: 11, reserved: 0, available: 11 });
  });

  it('a repeated release changes nothing the second time', async () => {
    const product = await makeProduct(orm, { initialStock: 5 });
    const orderId = randomUUID();
    await reserveNow(orm.em.fork(), orderId, [{ productId: product.id, quantity: 2 }], cause());
    expect(await release(orm.em.fork(), orderId)).toBe(1);
    expect(await stock(product.id)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    expect(await release(orm.em.fork(), orderId)).toBe(0);
    expect(await stock(product.id)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    expect(await statuses(orderId)).toEqual([ReservationStatus.RELEASED]);
    // A released order is not reserved again by a late repeat of its reserve.
    expect(await reserveNow(orm.em.fork(), orderId, [{ productId: product.id, quantity: 2 }], cause())).toEqual({
      ok: true,
    });
    expect(await stock(product.id)).toEqual({ onHand: 5, reserved: 0, available: 5 });
  });

  it('a repeated commitSale changes nothing the second time, and a release after the sale neither', async () => {
    const a = await makeProduct(orm, { initialStock: 5 });
    const b = await makeProduct(orm, { initialStock: 3 });
    const orderId = randomUUID();
    await reserveNow(
      orm.em.fork(),
      orderId,
      [
        { productId: a.id, quantity: 2 },
        { productId: b.id, quantity: 3 },
      ],
      cause(),
    );
    expect(await commitSale(orm.em.fork(), orderId)).toBe(2);
    const sold = { a: await stock(a.id), b: await stock(b.id) };
    expect(sold).toEqual({ a: { onHand: 3, reserved: 0, available: 3 }, b: { onHand: 0, reserved: 0, available: 0 } });
    expect(await commitSale(orm.em.fork(), orderId)).toBe(0);
    expect(await release(orm.em.fork(), orderId)).toBe(0);
    expect({ a: await stock(a.id), b: await stock(b.id) }).toEqual(sold);
    expect(await statuses(orderId)).toEqual([ReservationStatus.SOLD, ReservationStatus.SOLD]);
  });

  it('one order reserved twice at once holds its stock once', async () => {
    const product = await makeProduct(orm, { initialStock: 10 });
    const orderId = randomUUID();
    const lines = [{ productId: product.id, quantity: 4 }];
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => reserveNow(orm.em.fork(), orderId, lines, cause())),
    );
    expect(outcomes).toEqual(Array.from({ length: 5 }, () => ({ ok: true })));
    expect(await stock(product.id)).toEqual({ onHand: 10, reserved: 4, available: 6 });
  });
});

describe('the database guards stock on its own', () => {
  it('refuses an update that would reserve more than is on hand', async () => {
    const product = await makeProduct(orm, { initialStock: 2 });
    await expect(orm.em.fork().execute('update products set reserved = 3 where id = ?', [product.id])).rejects.toThrow(
      /products_stock_check/,
    );
    await expect(orm.em.fork().execute('update products set reserved = -1 where id = ?', [product.id])).rejects.toThrow(
      /products_stock_check/,
    );
  });

  it('fails the commit of a stock update sent with it that would go beyond, and keeps nothing of it', async () => {
    const product = await makeProduct(orm, { initialStock: 2 });
    const reservation = unitOfWork(orm.em.fork(), async (tx) => {
      tx.create(Reservation, { orderId: randomUUID(), product: product.id, quantity: 3 });
      await takeStock(tx, [{ productId: product.id, quantity: 3 }]);
    });
    await expect(reservation).rejects.toThrow(CheckConstraintViolationException);
    expect(await stock(product.id)).toEqual({ onHand: 2, reserved: 0, available: 2 });
    expect(await orm.em.fork().count(Reservation, { product: product.id })).toBe(0);
  });
});
