import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { consumerName, type EventHandler } from '../../src/events/bus.js';
import { createEnvelope, type EventEnvelope } from '../../src/events/envelope.js';
import { InboxMessage, pruneHandled, withInbox } from '../../src/events/inbox.js';
import type { JetStreamEventBus } from '../../src/events/jetstream/bus.js';
import { ConsumerPosition, databasePositions } from '../../src/events/positions.js';
import { openTestBus, openTestDatabase, Tally, type TestBus, type TestDatabase } from './helpers.js';

const WAIT = { timeout: 15_000, interval: 50 };
const SERVICE = 'positions-test';
let db: TestDatabase;
let nats: TestBus;
let nc: NatsConnection;

beforeAll(async () => {
  nc = await connect({ servers: TEST_NATS_URL });
});
afterAll(() => nc.close());
beforeEach(async () => {
  db = await openTestDatabase();
  nats = await openTestBus(SERVICE);
});
afterEach(async () => {
  await nats.dispose();
  await db.dispose();
});

/** The consumer's effect: one more on the event's tally, behind the inbox. */
const countIt = (): EventHandler =>
  withInbox<{ key: string }>(db.orm, async (envelope, { em }) => {
    const row = await em.findOne(Tally, { key: envelope.data.key });
    if (row) row.count += 1;
    else em.create(Tally, { key: envelope.data.key, count: 1 });
  });

/** A service instance: a bus that records its consumers' positions in the service's database. */
const instance = (): Promise<JetStreamEventBus> =>
  nats.openAnother({ positions: databasePositions(db.orm), positionIntervalMs: 200 });

const event = (subject: string, key: string): EventEnvelope<{ key: string }> =>
  createEnvelope({ subject, data: { key }, source: 'test', correlationId: `req-${key}` });

const tallies = async () =>
  Object.fromEntries((await db.orm.em.fork().find(Tally, {})).map((row) => [row.key, row.count]));

async function recordedFloor(consumer: string): Promise<number | undefined> {
  const row = await db.orm.em.fork().findOne(ConsumerPosition, { consumer });
  return row ? Number(row.ackFloor) : undefined;
}

it('never applies an old event again when its durable consumer is deleted and created anew', async () => {
  const subject = nats.subject('payment', 'succeeded');
  const consumer = consumerName(SERVICE, subject);
  const jsm = await jetstreamManager(nc);
  const bus = await instance();
  await bus.subscribe(subject, countIt());
  const old = ['a', 'b', 'c', 'd', 'e'].map((key) => event(subject, key));
  for (const each of old) await nats.bus.publish(each);
  await vi.waitFor(async () => expect(await tallies()).toEqual({ a: 1, b: 1, c: 1, d: 1, e: 1 }), WAIT);
  // The position reaches the last event handled: every event up to it is done.
  const { state } = await jsm.streams.info(nats.stream);
  await vi.waitFor(async () => expect(await recordedFloor(consumer)).toBe(state.last_seq), WAIT);

  // Long after, the inbox has forgotten them (pruned), and the durable consumer is lost.
  expect(await pruneHandled(db.orm.em.fork(), 0)).toBe(5);
  expect(await db.orm.em.fork().count(InboxMessage)).toBe(0);
  await jsm.consumers.delete(nats.stream, consumer);

  // Created again (the running instance notices), it resumes after its position: nothing replayed.
  await vi.waitFor(async () => expect((await jsm.consumers.info(nats.stream, consumer)).name).toBe(consumer), WAIT);
  const info = await jsm.consumers.info(nats.stream, consumer);
  expect(info.config).toMatchObject({ deliver_policy: 'by_start_sequence', opt_start_seq: state.last_seq + 1 });
  await nats.bus.publish(event(subject, 'f'));
  await vi.waitFor(async () => expect((await tallies()).f).toBe(1), WAIT);
  await vi.waitFor(async () => expect((await jsm.consumers.info(nats.stream, consumer)).num_ack_pending).toBe(0), WAIT);
  expect(await tallies()).toEqual({ a: 1, b: 1, c: 1, d: 1, e: 1, f: 1 });
});

it('resumes after its position when the consumer is gone while the service is down', async () => {
  const subject = nats.subject('order', 'confirmed');
  const consumer = consumerName(SERVICE, subject);
  const jsm = await jetstreamManager(nc);
  const first = await instance();
  await first.subscribe(subject, countIt());
  for (const key of ['a', 'b', 'c']) await nats.bus.publish(event(subject, key));
  await vi.waitFor(async () => expect(await tallies()).toEqual({ a: 1, b: 1, c: 1 }), WAIT);
  await first.close(); // records its last position as it stops

  await pruneHandled(db.orm.em.fork(), 0);
  await jsm.consumers.delete(nats.stream, consumer);
  await nats.bus.publish(event(subject, 'd')); // published while the service was down: must be handled

  const second = await instance();
  await second.subscribe(subject, countIt());
  await vi.waitFor(async () => expect((await tallies()).d).toBe(1), WAIT);
  await vi.waitFor(async () => expect((await jsm.consumers.info(nats.stream, consumer)).num_ack_pending).toBe(0), WAIT);
  expect(await tallies()).toEqual({ a: 1, b: 1, c: 1, d: 1 });
});

it('keeps inbox rows above the recorded position however old, and reads all history without a position', async () => {
  const em = db.orm.em.fork();
  const insert = (consumer: string, id: string, seq: number | null) =>
    em
      .getConnection()
      .execute(
        `insert into inbox_messages (consumer, event_id, subject, stream_seq, handled_at) values (?, ?, ?, ?, now() - interval '30 days')`,
        [consumer, id, 'a.b.c.v1', seq],
      );
  await databasePositions(db.orm).save('kept', 'S', '2026-01-01T00:00:00Z', 10);
  await insert('kept', '00000000-0000-7000-8000-000000000001', 9);
  await insert('kept', '00000000-0000-7000-8000-000000000002', 10);
  await insert('kept', '00000000-0000-7000-8000-000000000003', 11);
  await insert('no-position', '00000000-0000-7000-8000-000000000004', 5);
  await insert('no-sequence', '00000000-0000-7000-8000-000000000005', null);
  expect(await pruneHandled(em, 7 * 86_400_000)).toBe(3);
  const left = await db.orm.em.fork().find(InboxMessage, {}, { orderBy: { eventId: 'asc' } });
  expect(left.map((row) => [row.consumer, Number(row.streamSeq)])).toEqual([
    ['kept', 11],
    ['no-position', 5],
  ]);

  // A consumer with no position of its own (a new database) starts at the first event of the stream.
  const subject = nats.subject('catalog', 'upserted');
  await nats.bus.publish(event(subject, 'early'));
  const bus = await instance();
  await bus.subscribe(subject, countIt());
  await vi.waitFor(async () => expect((await tallies()).early).toBe(1), WAIT);
  const info = await (await jetstreamManager(nc)).consumers.info(nats.stream, consumerName(SERVICE, subject));
  expect(info.config.deliver_policy).toBe('all');
});
