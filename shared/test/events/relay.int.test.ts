import { setTimeout as sleep } from 'node:timers/promises';
import { streamEvents } from '@commerce-supergraph/test-support/jetstream';
import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { unitOfWork } from '../../src/db/unit-of-work.js';
import type { EventBus } from '../../src/events/bus.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { OutboxMessage, recordEvent } from '../../src/events/outbox.js';
import { prunePublished } from '../../src/events/outbox-store.js';
import { OutboxRelay, type OutboxRelayOptions } from '../../src/events/relay.js';
import { openTestBus, openTestDatabase, silentLog, type TestBus, type TestDatabase } from './helpers.js';

const WAIT = { timeout: 15_000, interval: 50 };
let db: TestDatabase;
let nats: TestBus;
const relays: OutboxRelay[] = [];

beforeEach(async () => {
  db = await openTestDatabase();
  nats = await openTestBus('relay-test');
});
afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.stop(1_000);
  await nats.dispose();
  await db.dispose();
});

function startRelay(orm: MikroORM, bus: EventBus, options: Omit<OutboxRelayOptions, 'log'> = {}) {
  const relay = new OutboxRelay(orm, bus, { log: silentLog(), ...options });
  relays.push(relay);
  relay.start();
  return relay;
}

/** Commits `count` events, one transaction each, as requests would. */
async function commitEvents(orm: MikroORM, count: number, verb = 'registered'): Promise<EventEnvelope[]> {
  const subject = nats.subject('customer', verb);
  return Promise.all(
    Array.from({ length: count }, (_, n) =>
      orm.em
        .fork()
        .transactional(async (em) =>
          recordEvent(em, { subject, data: { n }, source: 'relay-test', correlationId: `req-${n}` }),
        ),
    ),
  );
}

async function unpublished(orm: MikroORM): Promise<number> {
  return orm.em.fork().count(OutboxMessage, { publishedAt: null });
}

/** The stream's events: asserts no id is there twice and returns the ids. */
async function streamIds(): Promise<string[]> {
  const events = await streamEvents(TEST_NATS_URL, nats.stream);
  const ids = events.map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(events.every((e) => e.msgId === e.id)).toBe(true);
  return ids;
}

/** A bus whose publish never answers: the process froze or died right after claiming. */
const deadBus: EventBus = {
  publish: () => new Promise(() => undefined),
  subscribe: async () => undefined,
  isConnected: () => true,
  close: async () => undefined,
};

describe('outbox relay against PostgreSQL and JetStream', () => {
  it('publishes right after the commit, with no sweep to wait for', async () => {
    startRelay(db.orm, nats.bus, { sweepIntervalMs: 3_600_000 });
    await vi.waitFor(async () => expect(await unpublished(db.orm)).toBe(0));
    const started = performance.now();
    const [sent] = await commitEvents(db.orm, 1);
    await vi.waitFor(async () => expect(await streamIds()).toEqual([sent!.id]), { timeout: 2_000, interval: 10 });
    expect(performance.now() - started).toBeLessThan(1_000);
    await vi.waitFor(async () => expect(await unpublished(db.orm)).toBe(0), WAIT);
  });

  it('publishes committed events from memory: no row is claimed, and a burst is marked in a few statements', async () => {
    startRelay(db.orm, nats.bus, { sweepIntervalMs: 3_600_000 });
    await sleep(100); // the start-up round finds the outbox empty
    const statements: string[] = [];
    const connection = db.orm.em.getConnection();
    const execute = connection.execute.bind(connection);
    const spy = vi.spyOn(connection, 'execute').mockImplementation((...args: Parameters<typeof execute>) => {
      statements.push(String(args[0]));
      return execute(...args);
    });
    const sent = await commitEvents(db.orm, 60);
    await vi.waitFor(async () => expect(await unpublished(db.orm)).toBe(0), WAIT);
    spy.mockRestore();
    expect((await streamIds()).sort()).toEqual(sent.map((e) => e.id).sort());
    const rows = await db.orm.em.fork().find(OutboxMessage, {});
    expect(rows.every((row) => row.attempts === 0 && row.publishedAt !== null)).toBe(true);
    expect(statements.filter((sql) => sql.includes('with claimed'))).toEqual([]);
    const marks = statements.filter((sql) => sql.startsWith('update outbox_messages set published_at'));
    expect(marks.length).toBeGreaterThan(0);
    expect(marks.length).toBeLessThan(60);
  });

  it('leaves a failed fresh publish to the sweep, which sends it once it is no longer fresh', async () => {
    let failures = 1;
    const flaky: EventBus = {
      ...deadBus,
      isConnected: () => nats.bus.isConnected(),
      publish: async (envelope) => {
        if (failures-- > 0) throw new Error('NATS hiccup');
        return nats.bus.publish(envelope);
      },
    };
    startRelay(db.orm, flaky, { sweepIntervalMs: 100, freshMs: 600 });
    await sleep(100);
    const started = performance.now();
    const [sent] = await commitEvents(db.orm, 1);
    await vi.waitFor(async () => expect(await streamIds()).toEqual([sent!.id]), WAIT);
    // Not before it stopped being fresh: no sweep races the process that committed it.
    expect(performance.now() - started).toBeGreaterThanOrEqual(500);
    await vi.waitFor(async () => expect(await unpublished(db.orm)).toBe(0), WAIT);
    const [row] = await db.orm.em.fork().find(OutboxMessage, { id: sent!.id });
    expect(row?.attempts).toBe(1);
  });

  it('sweeps once more when fresh rows stop being fresh after a kick, and then no more', async () => {
    const claims: string[] = [];
    const connection = db.orm.em.getConnection();
    const execute = connection.execute.bind(connection);
    const spy = vi.spyOn(connection, 'execute').mockImplementation((...args: Parameters<typeof execute>) => {
      if (String(args[0]).includes('with claimed')) claims.push(String(args[0]));
      return execute(...args);
    });
    // Committed while no relay ran (a process died): too fresh for the start-up round, not for the follow-up.
    const [orphan] = await commitEvents(db.orm, 1);
    startRelay(db.orm, nats.bus, { sweepIntervalMs: 3_600_000, freshMs: 150 });
    await vi.waitFor(async () => expect(await streamIds()).toEqual([orphan!.id]), WAIT);
    await sleep(1_000);
    spy.mockRestore();
    // The start-up round and its one follow-up: not a follow-up every freshMs for ever.
    expect(claims).toHaveLength(2);
  });

  it('publishes an event of a unit of work that joined an outer transaction right after that commit', async () => {
    startRelay(db.orm, nats.bus, { sweepIntervalMs: 3_600_000 });
    const subject = nats.subject('customer', 'joined');
    // As an event handler runs the domain: the inbox's transaction outside, the domain's unit of work inside.
    const sent = await db.orm.em
      .fork()
      .transactional(async (inbox) =>
        unitOfWork(inbox, async (tx) =>
          recordEvent(tx, { subject, data: {}, source: 'relay-test', correlationId: 'req-joined' }),
        ),
      );
    // Only a kick can publish it: the sweep would not come for an hour.
    await vi.waitFor(async () => expect(await streamIds()).toEqual([sent.id]), { timeout: 2_000, interval: 10 });
  });

  it('tells a writer once its event is stored, also when another instance published it, and gives up in time', async () => {
    const relay = startRelay(db.orm, nats.bus, { sweepIntervalMs: 3_600_000 });
    const [own] = await commitEvents(db.orm, 1);
    const started = performance.now();
    expect(await relay.whenPublished(own!.id, 1_000)).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
    expect(await streamIds()).toEqual([own!.id]);
    // Already published before anyone asked: the outbox row says so at once.
    expect(await relay.whenPublished(own!.id, 1_000)).toBe(true);

    // Committed and published by another instance: this relay never sees it go, the outbox row tells.
    const other = await db.openAnother();
    const otherRelay = startRelay(other, await nats.openAnother(), { sweepIntervalMs: 3_600_000 });
    await relay.stop(0);
    const [theirs] = await commitEvents(other, 1, 'updated');
    expect(await relay.whenPublished(theirs!.id, 2_000)).toBe(true);
    await otherRelay.stop(0);

    // Nobody publishes it: false once the time is up.
    const [stuck] = await commitEvents(db.orm, 1, 'stuck');
    const waited = performance.now();
    expect(await relay.whenPublished(stuck!.id, 200)).toBe(false);
    expect(performance.now() - waited).toBeGreaterThanOrEqual(190);
  });

  it('loses nothing when a relay dies between commit and publish: the sweep publishes later', async () => {
    // Claimed by a relay that then never published (it died mid-flight): its lease must run out first.
    const claimed = await commitEvents(db.orm, 5);
    const dying = startRelay(db.orm, deadBus, { leaseMs: 1_000, sweepIntervalMs: 3_600_000 });
    await vi.waitFor(async () => expect(await db.orm.em.fork().count(OutboxMessage, { attempts: 1 })).toBe(5), WAIT);
    await dying.stop(0);
    // Committed while no relay ran at all (the process died right after the commit).
    const orphaned = await commitEvents(db.orm, 5, 'updated');
    expect(await streamIds()).toEqual([]);

    const survivor = await db.openAnother();
    startRelay(survivor, nats.bus, { leaseMs: 1_000, sweepIntervalMs: 200 });
    const all = [...orphaned, ...claimed].map((e) => e.id).sort();
    await vi.waitFor(async () => expect((await streamIds()).sort()).toEqual(all), WAIT);
    await vi.waitFor(async () => expect(await unpublished(db.orm)).toBe(0), WAIT);
  });

  it('publishes once when a relay dies after publishing but before marking: the server drops the repeat', async () => {
    const results: boolean[] = [];
    const crashAfterPublish: EventBus = {
      ...deadBus,
      publish: async (envelope) => {
        await nats.bus.publish(envelope);
        throw new Error('process died before marking the row');
      },
    };
    const crashing = startRelay(db.orm, crashAfterPublish, { retryBaseMs: 100, sweepIntervalMs: 3_600_000 });
    const sent = await commitEvents(db.orm, 3);
    await vi.waitFor(async () => expect(await streamIds()).toHaveLength(3), WAIT);
    await crashing.stop(0);
    const counting: EventBus = {
      ...deadBus,
      isConnected: () => nats.bus.isConnected(),
      publish: async (envelope) => {
        const result = await nats.bus.publish(envelope);
        results.push(result.duplicate);
        return result;
      },
    };
    // What outbox_published_total{result="duplicate"} counts: the relay is told of each dropped copy.
    const told: boolean[] = [];
    startRelay(db.orm, counting, { sweepIntervalMs: 100, onPublished: (duplicate) => told.push(duplicate) });
    await vi.waitFor(async () => expect(await unpublished(db.orm)).toBe(0), WAIT);
    expect(results).toEqual([true, true, true]);
    expect(told).toEqual([true, true, true]);
    expect((await streamIds()).sort()).toEqual(sent.map((e) => e.id).sort());
  });

  it('has two relays over one outbox publish every event exactly once', async () => {
    const second = await db.openAnother();
    const byRelay: string[][] = [[], []];
    const counted = (index: number, bus: EventBus): EventBus => ({
      ...deadBus,
      isConnected: () => bus.isConnected(),
      publish: async (envelope) => {
        byRelay[index]!.push(envelope.id);
        return bus.publish(envelope);
      },
    });
    const otherBus = await nats.openAnother();
    // Small batches and a fast sweep so the two keep competing for the same rows.
    startRelay(db.orm, counted(0, nats.bus), { batchSize: 5, sweepIntervalMs: 20 });
    startRelay(second, counted(1, otherBus), { batchSize: 5, sweepIntervalMs: 20 });
    const sent = [...(await commitEvents(db.orm, 150)), ...(await commitEvents(second, 150))];
    await vi.waitFor(async () => expect(await unpublished(db.orm)).toBe(0), WAIT);
    const [first, other] = byRelay as [string[], string[]];
    // Both took part (each is kicked by its own commits), and no event went out through both.
    expect(first.length).toBeGreaterThan(0);
    expect(other.length).toBeGreaterThan(0);
    expect(first.filter((id) => other.includes(id))).toEqual([]);
    expect([...first, ...other].sort()).toEqual(sent.map((e) => e.id).sort());
    expect(await streamIds()).toHaveLength(300);
  });

  it('publishes what is still pending when it stops, within the time it is given', async () => {
    const relay = startRelay(db.orm, nats.bus, { sweepIntervalMs: 3_600_000 });
    await sleep(100); // let the start-up round find the outbox empty
    // Written through another pool (another instance), so nothing kicks this relay.
    const sent = await commitEvents(await db.openAnother(), 4);
    expect(await streamIds()).toEqual([]);
    await relay.stop(5_000);
    expect((await streamIds()).sort()).toEqual(sent.map((e) => e.id).sort());
  });

  it('prunes published rows once they are past retention, and never unpublished ones', async () => {
    await commitEvents(db.orm, 3);
    const em = db.orm.em.fork();
    await em.getConnection().execute(`update outbox_messages set published_at = now() - interval '2 days'`);
    await commitEvents(db.orm, 2);
    expect(await prunePublished(db.orm.em.fork(), 86_400_000)).toBe(3);
    expect(await db.orm.em.fork().count(OutboxMessage)).toBe(2);
  });
});
