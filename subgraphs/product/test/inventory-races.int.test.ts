import { randomUUID } from 'node:crypto';
import type { Orm } from '@commerce-supergraph/shared/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitSale, release, reserve } from '../src/domain/inventory.js';
import { Product, Reservation, ReservationTombstone } from '../src/entities/index.js';
import { cause, makeProduct, openTestDatabase, type TestDatabase } from './helpers.js';

let db: TestDatabase;
let orm: Orm;

beforeAll(async () => {
  db = await openTestDatabase();
  orm = db.orm;
});
afterAll(() => db?.dispose());

async function stock(productId: string) {
  const product = await orm.em.fork().findOneOrFail(Product, { id: productId });
  return { onHand: product.onHand, reserved: product.reserved, available: product.available };
}

describe('a release that overtakes the reserve of its order', () => {
  it('leaves a tombstone, so the late reserve holds nothing and says so', async () => {
    const product = await makeProduct(orm, { initialStock: 3 });
    const orderId = randomUUID();
    expect(await release(orm.em.fork(), orderId)).toBe(0);
    expect(await release(orm.em.fork(), orderId)).toBe(0);
    expect(await orm.em.fork().count(ReservationTombstone, { orderId })).toBe(1);
    expect(await reserve(orm.em.fork(), orderId, [{ productId: product.id, quantity: 2 }], cause())).toEqual({
      ok: false,
      released: true,
    });
    expect(await commitSale(orm.em.fork(), orderId)).toBe(0);
    expect(await stock(product.id)).toEqual({ onHand: 3, reserved: 0, available: 3 });
    expect(await orm.em.fork().count(Reservation, { orderId })).toBe(0);
  });

  it('leaves no tombstone for an order that was reserved or rejected first', async () => {
    const product = await makeProduct(orm, { initialStock: 1 });
    const [reserved, rejected] = [randomUUID(), randomUUID()];
    await reserve(orm.em.fork(), reserved, [{ productId: product.id, quantity: 1 }], cause());
    await reserve(orm.em.fork(), rejected, [{ productId: product.id, quantity: 1 }], cause());
    expect(await release(orm.em.fork(), reserved)).toBe(1);
    expect(await release(orm.em.fork(), rejected)).toBe(0);
    expect(await orm.em.fork().count(ReservationTombstone, { orderId: { $in: [reserved, rejected] } })).toBe(0);
    expect(await stock(product.id)).toEqual({ onHand: 1, reserved: 0, available: 1 });
  });

  it('never loses or keeps stock when reserve and release of 20 orders race on two pools', async () => {
    const product = await makeProduct(orm, { initialStock: 100 });
    const other = await db.openAnother();
    const orders = Array.from({ length: 20 }, () => randomUUID());
    await Promise.all(
      orders.flatMap((orderId, i) => [
        reserve((i % 2 ? orm : other).em.fork(), orderId, [{ productId: product.id, quantity: 3 }], cause()),
        release((i % 2 ? other : orm).em.fork(), orderId),
      ]),
    );
    // Whichever came first, every order is released: nothing stays reserved.
    expect(await stock(product.id)).toEqual({ onHand: 100, reserved: 0, available: 100 });
    const tombstones = await orm.em.fork().count(ReservationTombstone, { orderId: { $in: orders } });
    const reservations = await orm.em.fork().count(Reservation, { orderId: { $in: orders } });
    expect(tombstones + reservations).toBe(20);
  });
});
