import { TEST_DATABASE_URL } from '@commerce-supergraph/test-support/database';
import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ormOptions } from '../../src/db/orm.js';
import { unitOfWork } from '../../src/db/unit-of-work.js';
import { KickAfterCommit } from '../../src/events/kick-after-commit.js';
import { OutboxMessage, recordEvent } from '../../src/events/outbox.js';
import { openTestDatabase, silentLog, Tally, type TestDatabase } from '../events/helpers.js';

// MikroORM's flush inserts held back to go with the commit (held-statements.ts), on a real
// PostgreSQL through the connection guard: one connection, so every transaction reuses it.
let db: TestDatabase;
let orm: MikroORM;

beforeAll(async () => {
  db = await openTestDatabase({ prefix: 'held_statements', poolMax: 1 });
  orm = db.orm;
});
afterAll(() => db?.dispose());

const keys = async () =>
  (await orm.em.fork().execute<{ key: string }[]>('select key from tallies order by key')).map((row) => row.key);

it('sends the inserts of a flush, an event among them, in one message with the commit', async () => {
  const [connection] = await orm.em.fork().execute<{ pid: number }[]>('select pg_backend_pid() as pid');
  const started = await unitOfWork(orm.em.fork(), async (tx) => {
    tx.create(Tally, { key: 'x', count: 1 });
    recordEvent(tx, { subject: 'tests.tally.counted.v1', data: {}, source: 'test', correlationId: 'c' });
    tx.create(Tally, { key: 'y', count: 1 });
    return (await tx.execute<{ at: Date }[]>('select now() as at'))[0]?.at;
  });
  // The server's own record of the last message on the one connection: what was sent, as one.
  const observer = await MikroORM.init(
    ormOptions({
      url: TEST_DATABASE_URL,
      dbName: db.dbName,
      entities: [Tally],
      migrations: [],
      log: silentLog(),
      poolMax: 1,
    }),
  );
  try {
    const [last] = await observer.em
      .fork()
      .execute<{ query: string }[]>('select query from pg_stat_activity where pid = ?', [connection?.pid]);
    expect(last?.query).toMatch(/^insert into "outbox_messages" .*;\ninsert into "tallies" .*;\ncommit$/s);
    expect(await keys()).toEqual(['x', 'y']);
    // The event's times are the database's, of its transaction (DATABASE_NOW), as a default would make them.
    const [row] = await orm.em
      .fork()
      .execute<{ created: Date; next: Date }[]>(
        'select created_at as created, next_attempt_at as next from outbox_messages',
      );
    expect(row?.created).toEqual(started);
    expect(row?.next).toEqual(started);
  } finally {
    await observer.close(true);
    await orm.em.fork().execute('delete from tallies; delete from outbox_messages');
  }
});

it('commits what a flush inserted, and the transaction reads it before the commit', async () => {
  const seen = await unitOfWork(orm.em.fork(), async (tx) => {
    tx.create(Tally, { key: 'a', count: 1 });
    tx.create(Tally, { key: 'b', count: 2 });
    await tx.flush();
    return tx.execute<{ n: string }[]>('select count(*) as n from tallies');
  });
  expect(Number(seen[0]?.n)).toBe(2);
  expect(await keys()).toEqual(['a', 'b']);
  expect((await orm.em.fork().findOneOrFail(Tally, { key: 'b' })).count).toBe(2);
});

it('reports a held insert refused at the commit as the ORM does, commits nothing of it, and keeps the connection', async () => {
  const failed = unitOfWork(orm.em.fork(), async (tx) => {
    tx.create(Tally, { key: 'c', count: 1 });
    tx.create(Tally, { key: 'a', count: 9 });
  });
  await expect(failed).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  expect(await keys()).toEqual(['a', 'b']);
  expect((await orm.em.fork().findOneOrFail(Tally, { key: 'a' })).count).toBe(1);

  // The one connection was rolled back, not lost: the next transaction runs on it as usual.
  await unitOfWork(orm.em.fork(), async (tx) => {
    tx.create(Tally, { key: 'c', count: 3 });
  });
  expect(await keys()).toEqual(['a', 'b', 'c']);
});

it('reports a held insert refused at the next statement there, and rolls the transaction back', async () => {
  const failed = unitOfWork(orm.em.fork(), async (tx) => {
    tx.create(Tally, { key: 'd', count: 1 });
    tx.create(Tally, { key: 'b', count: 9 });
    await tx.flush();
    await tx.execute('select 1');
  });
  await expect(failed).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  expect(await keys()).toEqual(['a', 'b', 'c']);
});

it('leaves no row of a transaction refused at its commit to the next one on the same EntityManager', async () => {
  // The relay publishes the outbox rows a commit made visible, from the committing EntityManager.
  const kicked: string[] = [];
  orm.em
    .getEventManager()
    .registerSubscriber(new KickAfterCommit(OutboxMessage, (rows) => kicked.push(...rows.map((row) => row.id))));
  await unitOfWork(orm.em.fork(), async (tx) => {
    tx.create(Tally, { key: 'p', count: 1 });
  });
  const request = orm.em.fork(); // one request's EntityManager, two mutations in turn
  const refused = unitOfWork(request, async (tx) => {
    tx.create(Tally, { key: 'p', count: 5 }); // taken: refused at the commit it went with
    recordEvent(tx, { subject: 'tests.tally.counted.v1', data: { n: 1 }, source: 'test', correlationId: 'c1' });
  });
  await expect(refused).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  const second = await unitOfWork(request, async (tx) => {
    tx.create(Tally, { key: 'e', count: 1 });
    return recordEvent(tx, { subject: 'tests.tally.counted.v1', data: { n: 2 }, source: 'test', correlationId: 'c2' });
  });
  // Only the second's event: the first's was never stored, so it must never be published.
  expect(kicked).toEqual([second.id]);
  const stored = await orm.em.fork().execute<{ id: string }[]>('select id from outbox_messages');
  expect(stored.map((row) => row.id)).toEqual([second.id]);
});
