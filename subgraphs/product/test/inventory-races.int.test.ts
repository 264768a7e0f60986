import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Orm } from '@commerce-supergraph/shared/db/orm';
import { DeadlockException } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitSale, release } from '../src/domain/inventory.js';
import { lockOrders, reserveGroup } from '../src/domain/reserve.js';
import { Product, Reservation, ReservationTombstone } from '../src/entities/index.js';
import { eventHandlers, lockTheirOrders } from '../src/events/handlers/index.js';
import { cause, makeProduct, openTestDatabase, reserveNow, type TestDatabase } from './helpers.js';

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
    expect(await reserveNow(orm.em.fork(), orderId, [{ productId: product.id, quantity: 2 }], cause())).toEqual({
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
    await reserveNow(orm.em.fork(), reserved, [{ productId: product.id, quantity: 1 }], cause());
    await reserveNow(orm.em.fork(), rejected, [{ productId: product.id, quantity: 1 }], cause());
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
        reserveNow((i % 2 ? orm : other).em.fork(), orderId, [{ productId: product.id, quantity: 3 }], cause()),
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

/**
 * Two inbox groups at once, as two consumers run them: one reserves for an order of A, then one of
 * B; the other sells an order of B, then one of A. Each handler locks its own products in id order,
 * but a group takes them handler by handler, so the two wait on each other in a circle, unless
 * each group takes all its locks first.
 */
async function twoGroups(lockFirst: boolean) {
  const [a, b] = [await makeProduct(orm, { initialStock: 10 }), await makeProduct(orm, { initialStock: 10 })];
  const [soldOfB, soldOfA] = [randomUUID(), randomUUID()];
  await reserveNow(orm.em.fork(), soldOfB, [{ productId: b.id, quantity: 1 }], cause());
  await reserveNow(orm.em.fork(), soldOfA, [{ productId: a.id, quantity: 1 }], cause());
  const reserving = [
    { orderId: randomUUID(), items: [{ productId: a.id, quantity: 1 }] },
    { orderId: randomUUID(), items: [{ productId: b.id, quantity: 1 }] },
  ];
  const reserves = orm.em.fork().transactional(async (em) => {
    if (lockFirst) await lockOrders(em, reserving);
    // Each order as a step of its own, as a group's handler without lockFirst would take them (a
    // lone reserve sends its locks only with the commit, so it is no such step).
    for (const { orderId, items } of reserving) {
      await reserveGroup(em, [{ orderId, lines: items, cause: cause() }]);
      await sleep(300);
    }
  });
  await sleep(100);
  const sales = orm.em.fork().transactional(async (em) => {
    if (lockFirst) await lockOrders(em, [{ orderId: soldOfB }, { orderId: soldOfA }]);
    for (const orderId of [soldOfB, soldOfA]) {
      expect(await commitSale(em, orderId)).toBe(1);
      await sleep(300);
    }
  });
  return { outcomes: await Promise.allSettled([reserves, sales]), products: [a.id, b.id] };
}

describe('groups of saga steps in one transaction', () => {
  it('deadlock when each step takes its own locks (what lockFirst is for)', async () => {
    const { outcomes } = await twoGroups(false);
    const failed = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect((failed[0] as PromiseRejectedResult).reason).toBeInstanceOf(DeadlockException);
  });

  it('never deadlock when each group takes its locks first, and both commit exactly', async () => {
    const { outcomes, products } = await twoGroups(true);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
    for (const id of products) {
      const product = await orm.em.fork().findOneOrFail(Product, { id });
      expect({ onHand: product.onHand, reserved: product.reserved }).toEqual({ onHand: 9, reserved: 1 });
    }
  });

  it('is what every consumer of the product subgraph does: they all lock the same products', () => {
    for (const { options } of eventHandlers()) expect(options?.lockFirst).toBe(lockTheirOrders);
  });
});
