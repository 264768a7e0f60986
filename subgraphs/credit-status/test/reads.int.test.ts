import { randomUUID } from 'node:crypto';
import { openTestDatabase, type TestDatabase, testDatabaseName } from '@commerce-supergraph/test-support/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusesOf } from '../src/domain/reads.js';
import { loadStatuses } from '../src/domain/scoring.js';
import { CreditStatus, entities } from '../src/entities/index.js';
import { migrations } from '../src/migrations/index.js';

// The hand-written read must answer what em.find answered: the same rows, every field the same.
let db: TestDatabase;
const good = { customerId: randomUUID(), score: 712, createdAt: new Date('2026-01-02T03:04:05.678Z') };
const poor = { customerId: randomUUID(), score: 301, updatedAt: new Date('2026-02-03T04:05:06.789Z') };
const fields = (s: CreditStatus) => ({
  customerId: s.customerId,
  score: s.score,
  band: s.band,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});
const byId = (a: { customerId: string }, b: { customerId: string }) => a.customerId.localeCompare(b.customerId);

beforeAll(async () => {
  db = await openTestDatabase({ dbName: testDatabaseName('credit_reads'), entities, migrations });
  // Rows written as SQL: the entity's band getter is no column, and the read must see what is stored.
  const other = { customerId: randomUUID(), score: 800 };
  for (const status of [{ ...good, updatedAt: good.createdAt }, { ...poor, createdAt: poor.updatedAt }, other]) {
    await db.orm.em
      .fork()
      .execute('insert into credit_statuses (customer_id, score, created_at, updated_at) values (?, ?, ?, ?)', [
        status.customerId,
        status.score,
        'createdAt' in status ? status.createdAt : new Date(),
        'updatedAt' in status ? status.updatedAt : new Date(),
      ]);
  }
});
afterAll(() => db?.dispose());

describe('statusesOf', () => {
  it('answers the requested statuses with every field em.find gives', async () => {
    const ids = [good.customerId, poor.customerId, randomUUID()];
    const fast = await statusesOf(db.orm.em.fork(), ids);
    const orm = await db.orm.em.fork().find(CreditStatus, { customerId: { $in: ids } });
    expect(fast.map(fields).sort(byId)).toEqual(orm.map(fields).sort(byId));
    expect(fast).toHaveLength(2);
    const found = fast.find((s) => s.customerId === good.customerId) as CreditStatus;
    expect(found).toBeInstanceOf(CreditStatus);
    expect(fields(found)).toMatchObject({ score: 712, band: 'GOOD', createdAt: good.createdAt });
    expect(fast.find((s) => s.customerId === poor.customerId)?.updatedAt).toEqual(poor.updatedAt);
  });

  it('gives managed entities and runs no query for no ids', async () => {
    const em = db.orm.em.fork();
    const [status] = await statusesOf(em, [good.customerId]);
    expect(em.getUnitOfWork().getById(CreditStatus, good.customerId)).toBe(status);
    expect(await statusesOf(em, [])).toEqual([]);
  });

  it('still creates a missing status at the initial score, and none for a deleted customer', async () => {
    const fresh = randomUUID();
    const deleted = randomUUID();
    await db.orm.em
      .fork()
      .execute('insert into deleted_customers (customer_id, deleted_at) values (?, now())', [deleted]);
    const loaded = await loadStatuses(db.orm.em.fork(), [good.customerId, fresh, deleted]);
    expect(loaded.map((s) => [s.customerId, s.score]).sort()).toEqual(
      [
        [good.customerId, 712],
        [fresh, 650],
      ].sort(),
    );
  });
});
