import { messagesSent } from '@commerce-supergraph/test-support/round-trips';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { waitingCallbacks } from '../../src/db/held-results.js';
import { unitOfWork } from '../../src/db/unit-of-work.js';
import { type ChangeEvents, changeWithEvents } from '../../src/events/change-events.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { KickAfterCommit } from '../../src/events/kick-after-commit.js';
import { OutboxMessage } from '../../src/events/outbox.js';
import { openTestDatabase, type TestDatabase } from './helpers.js';

// A change and its events in one statement, sent with the commit, on a real PostgreSQL through the
// connection guard; the relay's commit hook (KickAfterCommit) records what it would publish.
let db: TestDatabase;
let orm: MikroORM;
const kicked: string[] = [];

beforeAll(async () => {
  db = await openTestDatabase({ prefix: 'change_events', poolMax: 1 });
  orm = db.orm;
  orm.em
    .getEventManager()
    .registerSubscriber(new KickAfterCommit(OutboxMessage, (rows) => kicked.push(...rows.map((row) => row.id))));
});
afterAll(() => db?.dispose());
beforeEach(async () => {
  kicked.length = 0;
  await orm.em.fork().execute(`delete from tallies; delete from outbox_messages;
    insert into tallies (key, count) values ('a', 1), ('b', 5), ('c', 0)`);
});

/** Counts each tally in `keys` up by one, with a counted event per key (its data from the row). */
const countUp = (keys: string[], correlationId = 'c'): ChangeEvents => ({
  change: ['update tallies set count = count + 1 where key = any(array[?]) returning *', [keys]],
  key: 'key',
  events: new Map(
    keys.map((key) => [key, { subject: 'tests.tally.counted.v1', source: 'test', cause: { correlationId } }]),
  ),
  data: `jsonb_build_object('key', changed.key, 'count', changed.count)`,
});

const counts = async () =>
  Object.fromEntries(
    (await orm.em.fork().execute<{ key: string; count: number }[]>('select key, count from tallies order by key')).map(
      (row) => [row.key, row.count],
    ),
  );
const outbox = async () =>
  (await orm.em.fork().find(OutboxMessage, {}, { orderBy: { id: 'asc' } })).map((row) => row.payload);

/** Tells whether `stored` has resolved yet, without waiting for it. */
function watch(stored: Promise<EventEnvelope[]>) {
  const state: { envelopes?: EventEnvelope[] } = {};
  void stored.then((envelopes) => {
    state.envelopes = envelopes;
  });
  return state;
}

it('sends the change and its events with the commit, one message, and tells the relay of the rows stored', async () => {
  // Quotes, a backslash and a `?` in what the envelope carries survive MikroORM's inlining.
  const correlation = `it's a "test" \\ or ?`;
  let stored: Promise<EventEnvelope[]> = Promise.resolve([]);
  const sent = await messagesSent(orm, () =>
    unitOfWork(orm.em.fork(), async (tx) => {
      stored = (await changeWithEvents(tx, countUp(['a', 'b', 'zz'], correlation))).stored;
    }),
  );
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatch(/^begin;\n\/\* with next \d+ \*\/ with changed as \(update tallies .*;\ncommit$/s);
  const envelopes = await stored;
  // 'zz' matched no row: no event for it.
  expect(envelopes.map((event) => event.data).toSorted((x, y) => String(x).localeCompare(String(y)))).toEqual([
    { key: 'a', count: 2 },
    { key: 'b', count: 6 },
  ]);
  expect(envelopes.every((event) => event.correlationId === correlation && event.causationId === correlation)).toBe(
    true,
  );
  expect(envelopes.every((event) => event.type === 'tests.tally.counted.v1' && event.source === 'test')).toBe(true);
  expect(kicked.toSorted()).toEqual(envelopes.map((event) => event.id).toSorted());
  expect((await outbox()).toSorted((x, y) => x.id.localeCompare(y.id))).toEqual(
    envelopes.toSorted((x, y) => x.id.localeCompare(y.id)),
  );
  expect(await counts()).toEqual({ a: 2, b: 6, c: 0 });
  expect(waitingCallbacks()).toBe(0);
});

it('records and tells nothing when no row changes, or when the transaction rolls back', async () => {
  // In an object: a promise the unit of work returned bare would be awaited before its own commit.
  const none = await unitOfWork(orm.em.fork(), (tx) => changeWithEvents(tx, countUp(['zz'])));
  expect(await none.stored).toEqual([]);

  let seen: { envelopes?: EventEnvelope[] } = {};
  const failed = unitOfWork(orm.em.fork(), async (tx) => {
    seen = watch((await changeWithEvents(tx, countUp(['a']))).stored);
    await tx.execute('select 1/0');
  });
  await expect(failed).rejects.toThrow(/division by zero/);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(seen.envelopes).toBeUndefined();
  expect(kicked).toEqual([]);
  expect(await outbox()).toEqual([]);
  expect(await counts()).toEqual({ a: 1, b: 5, c: 0 });
  expect(waitingCallbacks()).toBe(0);
});

it('keeps the rows of a change a later statement carried until the commit, and sees them before it', async () => {
  let seen: { envelopes?: EventEnvelope[] } = {};
  const inside = await unitOfWork(orm.em.fork(), async (tx: EntityManager) => {
    seen = watch((await changeWithEvents(tx, countUp(['c']))).stored);
    const [row] = await tx.execute<{ n: number }[]>('select count(*)::int as n from outbox_messages');
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { n: row?.n, toldBeforeCommit: seen.envelopes !== undefined };
  });
  expect(inside).toEqual({ n: 1, toldBeforeCommit: false });
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(seen.envelopes?.map((event) => event.data)).toEqual([{ key: 'c', count: 1 }]);
  expect(kicked).toEqual([seen.envelopes?.[0]?.id]);
});

it('tells nothing of what a nested transaction rolled back to its savepoint, and the rest after the commit', async () => {
  let undone: { envelopes?: EventEnvelope[] } = {};
  const kept = await unitOfWork(orm.em.fork(), async (tx) => {
    // MikroORM's nested transaction: a savepoint, and a rollback to it when its work throws.
    await tx
      .transactional(async (inner) => {
        undone = watch((await changeWithEvents(inner, countUp(['b']))).stored);
        await inner.execute('select 1'); // carries the change out before the rollback
        throw new Error('inner work failed');
      })
      .catch(() => undefined);
    return changeWithEvents(tx, countUp(['a']));
  });
  const envelopes = await kept.stored;
  expect(envelopes.map((event) => event.data)).toEqual([{ key: 'a', count: 2 }]);
  expect(kicked).toEqual([envelopes[0]?.id]);
  expect(undone.envelopes).toBeUndefined();
  expect((await outbox()).map((event) => event.id)).toEqual([envelopes[0]?.id]);
  expect(await counts()).toEqual({ a: 2, b: 5, c: 0 });
});

it('refuses to run outside a unit of work, where nothing would tell the relay', async () => {
  await expect(changeWithEvents(orm.em.fork(), countUp(['a']))).rejects.toThrow(/need a unit of work/);
  expect(await counts()).toEqual({ a: 1, b: 5, c: 0 });
});
