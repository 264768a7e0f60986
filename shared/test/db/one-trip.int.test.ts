import { dropDatabase, TEST_DATABASE_URL, testDatabaseName } from '@commerce-supergraph/test-support/database';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inOneTrip } from '../../src/db/one-trip.js';
import { ormOptions } from '../../src/db/orm.js';
import { unitOfWork } from '../../src/db/unit-of-work.js';
import { silentLog } from '../events/helpers.js';

// The deferred begin and inOneTrip on a real PostgreSQL, through MikroORM and the connection guard.
let orm: MikroORM;
let dbName: string;

beforeAll(async () => {
  dbName = testDatabaseName('one_trip');
  orm = await MikroORM.init(
    ormOptions({
      url: TEST_DATABASE_URL,
      dbName,
      entities: [],
      migrations: [],
      log: silentLog(),
      poolMax: 4,
      overrides: { discovery: { warnWhenNoEntities: false } },
    }),
  );
  await orm.schema.ensureDatabase();
  await orm.em.execute('create table notes (id int primary key, body text not null)');
});
afterAll(async () => {
  await orm.close(true);
  await dropDatabase(dbName);
});

const count = async () => Number((await orm.em.fork().execute('select count(*) as n from notes'))[0]?.n);

it('commits, and rolls back, a transaction whose begin went out with its first statement', async () => {
  await unitOfWork(orm.em.fork(), async (tx) => {
    await tx.execute('insert into notes values (1, ?)', ['kept']);
    await tx.execute('insert into notes values (2, ?)', ['kept']);
  });
  expect(await count()).toBe(2);

  const failed = unitOfWork(orm.em.fork(), async (tx) => {
    await tx.execute('insert into notes values (3, ?)', ['dropped']);
    await tx.execute('insert into notes values (1, ?)', ['duplicate']);
  });
  await expect(failed).rejects.toThrow(/duplicate key/);
  // The first statement's begin opened a real transaction: its insert went with the rollback.
  expect(await count()).toBe(2);
  // The first statement itself failing: the transaction is still rolled back and the connection fine.
  await expect(
    unitOfWork(orm.em.fork(), (tx) => tx.execute('insert into notes values (2, ?)', ['duplicate'])),
  ).rejects.toThrow(/duplicate key/);
  expect(await orm.em.fork().execute('select 1 as ok')).toEqual([{ ok: 1 }]);
});

it('answers the last statement of one trip, and a read after a lock sees what its holder committed', async () => {
  expect(
    await inOneTrip(orm.em.fork(), [
      ['select ? as a', [1]],
      ['select ? as b, ? as c', [2, 3]],
    ]),
  ).toEqual([{ b: 2, c: 3 }]);

  // The holder takes the lock and inserts; the reader, in one trip, waits on the lock, then counts.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const lockTaken = new Promise<void>((resolve) => (locked = resolve));
  const holder = unitOfWork(orm.em.fork(), async (tx) => {
    await tx.execute('select pg_advisory_xact_lock(42)');
    await tx.execute('insert into notes values (10, ?)', ['by the holder']);
    locked();
    await held;
  });
  await lockTaken;
  const reader = unitOfWork(orm.em.fork(), (tx) =>
    inOneTrip<{ n: string }>(tx, [
      ['select pg_advisory_xact_lock(42)'],
      ['select count(*) as n from notes where id = 10'],
    ]),
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  release();
  await holder;
  // Had the count shared the lock's snapshot, taken before the holder committed, it would be 0.
  expect(await reader).toEqual([{ n: '1' }]);
});
