import { streamEvents } from '@commerce-supergraph/test-support/jetstream';
import { startNatsServer, type TestNatsServer } from '@commerce-supergraph/test-support/nats-server';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { InboxMessage, withInbox } from '../../src/events/inbox.js';
import { JetStreamEventBus } from '../../src/events/jetstream/bus.js';
import { OutboxMessage, recordEvent } from '../../src/events/outbox.js';
import { OutboxRelay } from '../../src/events/relay.js';
import { openTestDatabase, silentLog, Tally, type TestDatabase } from './helpers.js';

// These tests stop NATS, so they run a nats-server of their own (never the machine's).
const WAIT = { timeout: 20_000, interval: 50 };
const STREAM = 'OUTAGE';
const SUBJECT = 'outage.thing.happened.v1';
let nats: TestNatsServer;
let db: TestDatabase;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  nats = await startNatsServer();
  db = await openTestDatabase();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await db.dispose();
  await nats.dispose();
});

/** A service's plumbing: bus, relay and a tallying consumer behind the inbox. */
async function startService() {
  const bus = new JetStreamEventBus({
    url: nats.url,
    service: 'outage',
    log: silentLog(),
    streams: [{ name: STREAM, subjects: ['outage.>'] }],
    reconnectWaitMs: 100,
    reconnectJitterMs: 50,
  });
  const relay = new OutboxRelay(db.orm, bus, { log: silentLog(), sweepIntervalMs: 200 });
  bus.onConnected(() => relay.kick());
  closers.push(async () => {
    await relay.stop(500);
    await bus.close();
  });
  bus.start();
  relay.start();
  await bus.subscribe(
    SUBJECT,
    withInbox(db.orm, async (envelope, { em }) => {
      em.create(Tally, { key: envelope.id, count: 1 });
    }),
  );
  return bus;
}

const commit = (orm: MikroORM, count: number): Promise<EventEnvelope[]> =>
  Promise.all(
    Array.from({ length: count }, (_, n) =>
      orm.em
        .fork()
        .transactional(async (em) =>
          recordEvent(em, { subject: SUBJECT, data: { n }, source: 'outage', correlationId: 'r' }),
        ),
    ),
  );

/** Every event in the stream exactly once, and handled exactly once. */
async function expectEachOnce(sent: EventEnvelope[]) {
  const ids = sent.map((e) => e.id).sort();
  await vi.waitFor(
    async () => expect((await streamEvents(nats.url, STREAM)).map((e) => e.id).sort()).toEqual(ids),
    WAIT,
  );
  await vi.waitFor(async () => expect(await db.orm.em.fork().count(InboxMessage)).toBe(ids.length), WAIT);
  expect((await db.orm.em.fork().find(Tally, {})).map((t) => t.key).sort()).toEqual(ids);
  // Marked published a moment after the publish (marks are batched).
  await vi.waitFor(
    async () => expect(await db.orm.em.fork().count(OutboxMessage, { publishedAt: null })).toBe(0),
    WAIT,
  );
}

describe('NATS outages', () => {
  it('starts while NATS is down, keeps events in the outbox, and delivers them once NATS comes', async () => {
    await nats.stop();
    const bus = await startService();
    const sent = await commit(db.orm, 5);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(bus.isConnected()).toBe(false);
    expect(await db.orm.em.fork().count(OutboxMessage, { publishedAt: null })).toBe(5);
    await nats.start();
    await bus.whenConnected();
    await expectEachOnce(sent);
  });

  it('survives a NATS restart: publishing and consuming resume, every event exactly once', async () => {
    const bus = await startService();
    await bus.whenConnected();
    const before = await commit(db.orm, 5);
    await expectEachOnce(before);
    await nats.stop();
    await vi.waitFor(() => expect(bus.isConnected()).toBe(false), WAIT);
    const during = await commit(db.orm, 5);
    await nats.start();
    const after = await commit(db.orm, 5);
    await expectEachOnce([...before, ...during, ...after]);
  });
});
