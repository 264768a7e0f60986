import { OutboxMessage } from '@commerce-supergraph/shared/events/outbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, updateProduct } from '../src/domain/catalog.js';
import { cause, makeProduct, openTestDatabase, type TestDatabase } from './helpers.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db?.dispose());

/** Stands in for the relay: notes what it was asked about, whether it was committed then, and takes `ms`. */
function announcer(ms = 0) {
  const asked: { eventId: string; committed: boolean }[] = [];
  const announced = async (eventId: string) => {
    const committed = (await db.orm.em.fork().count(OutboxMessage, { id: eventId })) === 1;
    asked.push({ eventId, committed });
    await new Promise((resolve) => setTimeout(resolve, ms));
  };
  return { asked, announced };
}

const upsertedIds = async (productId: string) =>
  (await db.orm.em.fork().find(OutboxMessage, {}, { orderBy: { createdAt: 'asc', id: 'asc' } }))
    .filter((row) => (row.payload.data as { id: string }).id === productId)
    .map((row) => row.id);

describe('catalog changes answer once their event is announced', () => {
  it('waits, after the commit, for the upserted event of a creation and of a change', async () => {
    const { asked, announced } = announcer(200);
    const started = performance.now();
    const created = await createProduct(
      db.orm.em.fork(),
      { sku: 'ANN-1', name: 'Lamp', price: '5' },
      cause(),
      announced,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    if (!created.ok) throw new Error('refused');
    await updateProduct(db.orm.em.fork(), created.value.id, { price: '6' }, cause(), announced);
    expect(asked).toEqual((await upsertedIds(created.value.id)).map((eventId) => ({ eventId, committed: true })));
    expect(asked).toHaveLength(2);
  });

  it('waits for nothing when nothing was recorded: a refusal, or a change that changes nothing', async () => {
    const { asked, announced } = announcer();
    const product = await makeProduct(db.orm);
    const refused = await createProduct(
      db.orm.em.fork(),
      { sku: product.sku, name: 'Again', price: '5' },
      cause(),
      announced,
    );
    expect(refused.ok).toBe(false);
    await updateProduct(db.orm.em.fork(), product.id, { price: product.priceAmount }, cause(), announced);
    expect(asked).toEqual([]);
  });

  it('does not wait inside the transaction of a caller, which commits later (the seed)', async () => {
    const { asked, announced } = announcer();
    await db.orm.em.fork().transactional(async (tx) => {
      await createProduct(tx, { sku: 'ANN-TX', name: 'Inside', price: '5' }, cause(), announced);
    });
    expect(asked).toEqual([]);
  });
});
