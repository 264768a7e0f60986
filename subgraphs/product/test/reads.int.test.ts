import { randomUUID } from 'node:crypto';
import { openTestDatabase, type TestDatabase, testDatabaseName } from '@commerce-supergraph/test-support/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productsById } from '../src/domain/reads.js';
import { Brand, Category, entities, Product } from '../src/entities/index.js';
import { migrations } from '../src/migrations/index.js';

// The hand-written read must answer what em.find answered: the same rows, every field the same.
let db: TestDatabase;
const ids = { lamp: randomUUID(), retired: randomUUID(), other: randomUUID() };
const fields = (p: Product) => ({
  id: p.id,
  sku: p.sku,
  name: p.name,
  description: p.description,
  price: p.price,
  imageUrl: p.imageUrl,
  active: p.active,
  brand: p.brand?.id ?? null,
  category: p.category?.id ?? null,
  available: p.available,
  inStock: p.inStock,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});
const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
let brand: Brand;
let category: Category;

beforeAll(async () => {
  db = await openTestDatabase({ dbName: testDatabaseName('product_reads'), entities, migrations });
  const em = db.orm.em.fork();
  brand = em.create(Brand, { name: 'Lumen' });
  category = em.create(Category, { name: 'Lamps' });
  em.create(Product, {
    id: ids.lamp,
    sku: 'L-1',
    name: 'Desk Lamp',
    description: 'Bright',
    priceAmount: '24.90',
    currencyCode: 'EUR',
    imageUrl: 'https://example.com/lamp.png',
    brand,
    category,
    onHand: 5,
    reserved: 2,
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
  });
  em.create(Product, { id: ids.retired, sku: 'R-1', name: 'Old Lamp', priceAmount: '100.00', active: false });
  em.create(Product, { id: ids.other, sku: 'O-1', name: 'Other', priceAmount: '1.00' });
  await em.flush();
});
afterAll(() => db?.dispose());

describe('productsById', () => {
  it('answers the requested products, inactive ones too, with every field em.find gives', async () => {
    const wanted = [ids.lamp, ids.retired, randomUUID()];
    const fast = await productsById(db.orm.em.fork(), wanted);
    const orm = await db.orm.em.fork().find(Product, { id: { $in: wanted } });
    expect(fast.map(fields).sort(byId)).toEqual(orm.map(fields).sort(byId));
    expect(fast).toHaveLength(2);
    const lamp = fast.find((p) => p.id === ids.lamp) as Product;
    expect(lamp).toBeInstanceOf(Product);
    expect(fields(lamp)).toMatchObject({
      price: { amount: '24.90', currencyCode: 'EUR' },
      brand: brand.id,
      category: category.id,
      available: 3,
      inStock: true,
      createdAt: new Date('2026-01-02T03:04:05.678Z'),
    });
    expect(fields(fast.find((p) => p.id === ids.retired) as Product)).toMatchObject({
      price: { amount: '100.00', currencyCode: 'USD' },
      active: false,
      brand: null,
      description: null,
      inStock: false,
    });
  });

  it('gives managed entities, and nothing for unknown ids, ids that cannot be uuids, or none', async () => {
    const em = db.orm.em.fork();
    const [lamp] = await productsById(em, [ids.lamp, 'not-a-uuid']);
    expect(em.getUnitOfWork().getById(Product, ids.lamp)).toBe(lamp);
    expect(await productsById(em, [randomUUID(), "'; drop table products; --"])).toEqual([]);
    expect(await productsById(em, [])).toEqual([]);
  });
});
