import { DeadlockException } from '@mikro-orm/postgresql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InboxMessage, withInbox } from '../../src/events/inbox.js';
import { MAX_GROUP, SLOW_MS } from '../../src/events/inbox-groups.js';
import { currentRequestId, runInRequestScope } from '../../src/request-scope.js';
import { numberedEvents, openTestDatabase, Tally, type TestDatabase } from './helpers.js';

let db: TestDatabase;
beforeEach(async () => {
  db = await openTestDatabase();
});
afterEach(async () => {
  await db.dispose();
});

const CONSUMER = 'groups-test';
const { event, delivery } = numberedEvents(CONSUMER, 'groups.message.arrived.v1');

/** Counts the transactions the handler's work ran in, by the EntityManager each handling was given. */
function tallying(fail: (n: number) => boolean = () => false) {
  const transactions = new Set<unknown>();
  const requestIds: (string | undefined)[] = [];
  const handler = withInbox(db.orm, async (envelope, { em }) => {
    const { n } = envelope.data as { n: number };
    transactions.add(em);
    requestIds[n] = currentRequestId();
    em.create(Tally, { key: envelope.id, count: n });
    await em.flush();
    if (fail(n)) throw new Error(`handler for ${n} failed`);
  });
  return { handler, transactions, requestIds };
}

const tallies = async () => (await db.orm.em.fork().find(Tally, {})).map((t) => t.count).sort((a, b) => a - b);
const inboxRows = () => db.orm.em.fork().count(InboxMessage, { consumer: CONSUMER });

describe('inbox transactions shared by messages that arrive together', () => {
  it('handles a burst in a few transactions, every message once, each in its own request scope', async () => {
    const { handler, transactions, requestIds } = tallying();
    const events = Array.from({ length: 40 }, (_, n) => event(n));
    await Promise.all(events.map((e, n) => runInRequestScope(`request-${n}`, () => handler(e, delivery(n + 1)))));
    expect(await tallies()).toEqual(events.map((_, n) => n));
    expect(await inboxRows()).toBe(40);
    // The first alone (nothing ran yet), the rest together, at most MAX_GROUP at a time.
    expect(transactions.size).toBeGreaterThan(1);
    expect(transactions.size).toBeLessThanOrEqual(1 + Math.ceil(39 / MAX_GROUP));
    expect(requestIds).toEqual(events.map((_, n) => `request-${n}`));
  });

  it('gives a failing message its own failure: the rest of its group commits, nothing of it stays', async () => {
    const { handler } = tallying((n) => n === 7);
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, n) => handler(event(n), delivery(n + 1))));
    expect(outcomes.map((o) => o.status)).toEqual(
      Array.from({ length: 12 }, (_, n) => (n === 7 ? 'rejected' : 'fulfilled')),
    );
    expect(await tallies()).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11]);
    expect(await inboxRows()).toBe(11);
  });

  it('handles a copy of an event that arrives with it, or later, not again', async () => {
    const { handler } = tallying();
    const first = event(1);
    const second = event(2);
    // The copy of `first` in the same burst waits for the next group, then finds it handled.
    await Promise.all([handler(first, delivery(1)), handler(second, delivery(2)), handler(first, delivery(1))]);
    await handler(second, delivery(2));
    expect(await tallies()).toEqual([1, 2]);
    expect(await inboxRows()).toBe(2);
  });

  it('lets a slow message hold up the others only briefly: they then go on beside it', async () => {
    const done: number[] = [];
    const handler = withInbox(db.orm, async (envelope, { em }) => {
      const { n } = envelope.data as { n: number };
      if (n === 0) await em.execute('select pg_sleep(2)');
      em.create(Tally, { key: envelope.id, count: n });
      await em.flush();
    });
    const started = performance.now();
    const elapsed: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        handler(event(n), delivery(n + 1)).then(() => {
          done.push(n);
          elapsed[n] = performance.now() - started;
        }),
      ),
    );
    expect(done.at(-1)).toBe(0);
    // The quick ones waited about SLOW_MS, then went one after the other: not for the slow one's 2 s.
    expect(Math.max(...elapsed.slice(1))).toBeLessThan(SLOW_MS + 700);
    expect(Math.max(...elapsed.slice(1))).toBeLessThan(elapsed[0] as number);
    expect(await tallies()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('handles messages that come one at a time each in its own transaction, as before', async () => {
    const { handler, transactions } = tallying();
    for (let n = 0; n < 5; n++) await handler(event(n), delivery(n + 1));
    expect(transactions.size).toBe(5);
    expect(await tallies()).toEqual([0, 1, 2, 3, 4]);
  });

  it("takes a group's locks first, for the events it claimed, before its handlers; a message alone takes its own", async () => {
    const handled: number[] = [];
    const locks: { events: number[]; handledBefore: number[] }[] = [];
    const handler = withInbox(
      db.orm,
      async (envelope) => {
        handled.push((envelope.data as { n: number }).n);
      },
      {
        lockFirst: async (em, events) => {
          await em.execute('select 1');
          locks.push({ events: events.map((e) => (e.data as { n: number }).n), handledBefore: [...handled] });
        },
      },
    );
    const zero = event(0);
    await handler(zero, delivery(1));
    expect(locks).toEqual([]);
    // These share a transaction (the first may go alone), where 0 is a duplicate, claimed by no one.
    await Promise.all([
      handler(event(2), delivery(3)),
      handler(zero, delivery(1)),
      handler(event(1), delivery(2)),
      handler(event(3), delivery(4)),
    ]);
    expect(handled.toSorted()).toEqual([0, 1, 2, 3]);
    expect(locks.length).toBeGreaterThan(0);
    for (const { events, handledBefore } of locks) {
      expect(events.length).toBeGreaterThan(1);
      expect(events).not.toContain(0);
      expect(handledBefore.filter((n) => events.includes(n))).toEqual([]);
    }
    const locked = locks.flatMap(({ events }) => events);
    expect(new Set(locked).size).toBe(locked.length);
  });

  it('hands a group its claimed messages in one call, a message alone to the handler, and a failed group to it one by one', async () => {
    const alone: number[] = [];
    const groups: number[][] = [];
    let failGroups = false;
    const handler = withInbox(
      db.orm,
      async (envelope, { em }) => {
        alone.push((envelope.data as { n: number }).n);
        await em.execute('select 1');
      },
      {
        handleGroup: async (em, messages) => {
          const ns = messages.map(({ envelope }) => (envelope.data as { n: number }).n);
          groups.push(ns);
          await em.execute('select 1');
          if (failGroups) throw new Error('the group statement failed');
        },
      },
    );
    const zero = event(0);
    await handler(zero, delivery(1));
    expect(alone).toEqual([0]);
    // The first goes alone (nothing ran yet); those behind it share the next transaction.
    await Promise.all([event(1), event(2), zero, event(3)].map((e, i) => handler(e, delivery(i + 2))));
    const grouped = groups.flat();
    // Every message once: the copy of 0 finds it handled, alone or in a group.
    expect([...alone, ...grouped].toSorted()).toEqual([0, 1, 2, 3]);
    expect(groups.length).toBeGreaterThan(0);
    for (const ns of groups) {
      expect(ns.length).toBeGreaterThan(1);
      expect(ns).not.toContain(0); // a duplicate is claimed by no one
    }
    expect(await inboxRows()).toBe(4);

    // A group that fails leaves nothing, and each of its messages is then handled alone.
    failGroups = true;
    alone.length = 0;
    groups.length = 0;
    await Promise.all([4, 5, 6, 7].map((n) => handler(event(n), delivery(n + 2))));
    expect(groups.length).toBeGreaterThan(0);
    expect(alone.toSorted()).toEqual([4, 5, 6, 7]);
    expect(await inboxRows()).toBe(8);
  });

  it('skips a copy handled alone, even when its handler swallows the error its claim causes', async () => {
    const calls: number[] = [];
    const handler = withInbox(db.orm, async (envelope, { em }) => {
      const { n } = envelope.data as { n: number };
      calls.push(n);
      // The claim goes with this statement (held-statements.ts): for a copy it fails here, and a
      // handler that catches it and goes on must still not count twice.
      await em.execute('select 1').catch(() => undefined);
      em.create(Tally, { key: envelope.id, count: n });
    });
    const first = event(1);
    await handler(first, delivery(1));
    await handler(first, { ...delivery(1), deliveryCount: 2 });
    expect(calls).toEqual([1, 1]);
    expect(await tallies()).toEqual([1]);
    expect(await inboxRows()).toBe(1);
  });

  it("tries a deadlock's victim again at once instead of failing its delivery", async () => {
    let tries = 0;
    const handler = withInbox(db.orm, async (envelope, { em }) => {
      tries += 1;
      em.create(Tally, { key: envelope.id, count: tries });
      await em.flush();
      // What PostgreSQL says to the transaction it rolls back to break a deadlock.
      if (tries === 1) throw new DeadlockException(Object.assign(new Error('deadlock detected'), { code: '40P01' }));
    });
    await handler(event(1), delivery(1));
    expect(tries).toBe(2);
    expect(await tallies()).toEqual([2]);
    expect(await inboxRows()).toBe(1);
  });
});
