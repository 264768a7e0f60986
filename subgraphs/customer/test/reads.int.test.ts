import { randomUUID } from 'node:crypto';
import { openTestDatabase, type TestDatabase, testDatabaseName } from '@commerce-supergraph/test-support/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customersById } from '../src/domain/reads.js';
import { Customer, entities } from '../src/entities/index.js';
import { migrations } from '../src/migrations/index.js';

// The hand-written read must answer what em.find answered: the same rows, every field the same.
let db: TestDatabase;
const full = {
  id: randomUUID(),
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  passwordHash: '$argon2id$secret',
  phone: '+4915112345678',
  address: '12 Analytical Way',
  dateOfBirth: '1815-12-10',
  nationalId: { plaintext: 'AB123' },
  roles: ['customer', 'admin'] as Customer['roles'],
  createdAt: new Date('2026-01-02T03:04:05.678Z'),
  updatedAt: new Date('2026-02-03T04:05:06.789Z'),
};
const bare = { id: randomUUID(), name: 'Bare', email: 'bare@example.com', passwordHash: '$argon2id$other' };

const fields = (c: Customer) => ({
  id: c.id,
  name: c.name,
  email: c.email,
  phone: c.phone,
  address: c.address,
  dateOfBirth: c.dateOfBirth,
  roles: c.roles,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
  passwordHash: c.passwordHash,
  nationalId: c.nationalId,
});
const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);

beforeAll(async () => {
  db = await openTestDatabase({ dbName: testDatabaseName('customer_reads'), entities, migrations });
  const em = db.orm.em.fork();
  em.create(Customer, full);
  em.create(Customer, bare);
  em.create(Customer, { id: randomUUID(), name: 'Other', email: 'other@example.com', passwordHash: 'x' });
  await em.flush();
});
afterAll(() => db?.dispose());

describe('customersById', () => {
  it('answers the requested customers with every field em.find gives, and not the lazy secrets', async () => {
    const ids = [full.id, bare.id];
    const fast = await customersById(db.orm.em.fork(), ids);
    const orm = await db.orm.em.fork().find(Customer, { id: { $in: ids } });
    expect(fast.map(fields).sort(byId)).toEqual(orm.map(fields).sort(byId));
    const ada = fast.find((c) => c.id === full.id) as Customer;
    expect(ada).toBeInstanceOf(Customer);
    expect(fields(ada)).toEqual({ ...full, passwordHash: undefined, nationalId: undefined });
    expect(fields(fast.find((c) => c.id === bare.id) as Customer)).toMatchObject({
      phone: null,
      address: null,
      dateOfBirth: null,
      roles: ['customer'],
    });
  });

  it('gives managed entities: the identity map holds them, and a lazy field still loads on demand', async () => {
    const em = db.orm.em.fork();
    const [ada] = await customersById(em, [full.id]);
    expect(em.getUnitOfWork().getById(Customer, full.id)).toBe(ada);
    const loaded = await em.findOneOrFail(Customer, full.id, { populate: ['passwordHash'] });
    expect(loaded).toBe(ada);
    expect(loaded.passwordHash).toBe(full.passwordHash);
  });

  it('finds nothing for unknown ids or ids that cannot be uuids, and no query for none at all', async () => {
    const em = db.orm.em.fork();
    expect(await customersById(em, [randomUUID(), 'not-a-uuid', "'; drop table customers; --"])).toEqual([]);
    expect(await customersById(em, [])).toEqual([]);
    expect((await customersById(em, ['nope', bare.id])).map((c) => c.id)).toEqual([bare.id]);
  });
});
