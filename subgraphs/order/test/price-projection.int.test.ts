import { randomUUID } from 'node:crypto';
import type { Orm } from '@commerce-supergraph/shared/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProductUpserted, databaseId, loadPrices } from '../src/domain/price-projection.js';
import { projectionConsumerName } from '../src/events/handlers/price-projection.js';
import { openTestDatabase, type TestDatabase, upserted } from './helpers.js';

let db: TestDatabase;
let orm: Orm;

beforeAll(async () => {
  db = await openTestDatabase();
  orm = db.orm;
});
afterAll(() => db?.dispose());

const priceOf = async (productId: string) => (await loadPrices(orm.em.fork(), [productId])).get(productId);
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

describe('the price projection', () => {
  it('keeps the latest event of a product whatever order events arrive in, and redeliveries change nothing', async () => {
    const id = randomUUID();
    const v1 = upserted({ id, name: 'Lamp', price: '10.00' }, at(1_000));
    const v2 = upserted({ id, name: 'Lamp II', price: '12.5' }, at(2_000));
    const v3 = upserted({ id, name: 'Lamp II', price: '9.99', active: false }, at(3_000));
    const applied = [];
    for (const event of [v2, v1, v3, v2, v3]) applied.push(await applyProductUpserted(orm.em.fork(), event));
    expect(applied).toEqual([true, false, true, false, false]);
    expect(await priceOf(id)).toEqual({
      productId: id,
      name: 'Lamp II',
      price: '9.99',
      currency: 'USD',
      active: false,
    });
  });

  it('orders two events of one millisecond by their ids, so every copy of the projection agrees', async () => {
    const id = randomUUID();
    const sameMs = [upserted({ id, price: '1.00' }, at(5_000)), upserted({ id, price: '2.00' }, at(5_000))];
    const [lower, higher] = sameMs.sort((x, y) => x.id.localeCompare(y.id));
    for (const event of [higher, lower]) if (event) await applyProductUpserted(orm.em.fork(), event);
    expect((await priceOf(id))?.price).toBe(higher?.data.price);
  });

  it('finds nothing for ids that are not uuids, and matches ids whatever their case', async () => {
    const id = randomUUID();
    await applyProductUpserted(orm.em.fork(), upserted({ id }));
    const prices = await loadPrices(orm.em.fork(), ['nope', id.toUpperCase()]);
    expect([...prices.keys()]).toEqual([id]);
  });
});

describe('the projection consumer is named after the database', () => {
  it('keeps its name across restarts of one database, and a new database gets a new one', async () => {
    const first = await databaseId(orm.em.fork());
    const reopened = await db.openAnother();
    expect(await databaseId(reopened.em.fork())).toBe(first);
    const fresh = await openTestDatabase();
    try {
      const second = await databaseId(fresh.orm.em.fork());
      expect(second).not.toBe(first);
      expect(projectionConsumerName(first)).toMatch(/^order__catalog_product_upserted_v1__[0-9a-f]{16}$/);
      expect(projectionConsumerName(second)).not.toBe(projectionConsumerName(first));
    } finally {
      await fresh.dispose();
    }
  });
});
