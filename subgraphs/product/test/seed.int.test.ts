import { OutboxMessage } from '@commerce-supergraph/shared/events/outbox';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNamed } from '../src/domain/catalog.js';
import { DEMO_PRODUCTS } from '../src/domain/demo-catalog.js';
import { seedDemoCatalog } from '../src/domain/seed.js';
import { Brand, Product } from '../src/entities/index.js';
import { ProductSubjects } from '../src/events/contracts/published.js';
import { openTestDatabase, type TestDatabase } from './helpers.js';

const log = createLogger('test');
let db: TestDatabase;

beforeEach(async () => {
  db = await openTestDatabase();
});
afterEach(() => db?.dispose());

const count = (table: 'products' | 'brands' | 'categories' | 'outbox_messages') =>
  db.orm.em
    .fork()
    .execute<{ n: number }[]>(`select count(*)::int as n from ${table}`)
    .then(([row]) => row?.n);

describe('demo catalog seed', () => {
  it('fills an empty catalog: 20+ products, several brands and categories, all in stock, each announced', async () => {
    expect(await seedDemoCatalog(db.orm.em.fork(), log)).toBe(DEMO_PRODUCTS.length);
    const products = await db.orm.em.fork().find(Product, {});
    expect(products.length).toBeGreaterThanOrEqual(20);
    expect(products.every((p) => p.inStock && p.active && p.brand && p.category)).toBe(true);
    expect(await count('brands')).toBeGreaterThanOrEqual(3);
    expect(await count('categories')).toBeGreaterThanOrEqual(3);
    const events = await db.orm.em.fork().find(OutboxMessage, { subject: ProductSubjects.productUpserted });
    expect(events.map((e) => (e.payload.data as { id: string }).id).sort()).toEqual(products.map((p) => p.id).sort());
  });

  it('seeds once when run twice, and once when two instances start at the same moment', async () => {
    const other = await db.openAnother();
    const created = await Promise.all([seedDemoCatalog(db.orm.em.fork(), log), seedDemoCatalog(other.em.fork(), log)]);
    expect(created.sort()).toEqual([0, DEMO_PRODUCTS.length]);
    expect(await seedDemoCatalog(db.orm.em.fork(), log)).toBe(0);
    expect(await count('products')).toBe(DEMO_PRODUCTS.length);
    expect(await count('outbox_messages')).toBe(DEMO_PRODUCTS.length);
  });

  it('leaves a catalog alone that an admin has started, even without products', async () => {
    expect((await createNamed(db.orm.em.fork(), Brand, 'Own Brand')).ok).toBe(true);
    expect(await seedDemoCatalog(db.orm.em.fork(), log)).toBe(0);
    expect(await count('products')).toBe(0);
  });
});
