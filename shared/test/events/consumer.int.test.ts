import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { consumerName, deadLetterSubject, type EventHandler } from '../../src/events/bus.js';
import { createEnvelope, type EventEnvelope } from '../../src/events/envelope.js';
import { InboxMessage, pruneHandled, withInbox } from '../../src/events/inbox.js';
import { listDeadLetters, readStream } from '../../src/events/jetstream/streams.js';
import {
  capturingLog,
  openTestBus,
  openTestDatabase,
  silentLog,
  Tally,
  type TestBus,
  type TestDatabase,
  tally,
} from './helpers.js';

const WAIT = { timeout: 15_000, interval: 50 };
const RETRY = { maxDeliver: 4, backoffMs: [100, 250, 500] };
const SERVICE = 'consumer-test';
let db: TestDatabase;
let nats: TestBus;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nc = await connect({ servers: TEST_NATS_URL });
  jsm = await jetstreamManager(nc);
});
afterAll(async () => {
  await nc.close();
});
beforeEach(async () => {
  db = await openTestDatabase();
  nats = await openTestBus(SERVICE, { retry: RETRY });
});
afterEach(async () => {
  await nats.dispose();
  await db.dispose();
});

const registered = (key: string): EventEnvelope<{ key: string }> =>
  createEnvelope({
    subject: nats.subject('customer', 'registered'),
    data: { key },
    source: 'test',
    correlationId: 'req-42',
  });

/** The consumer's effect on its data: one more on the event's tally. */
const countIt = (): EventHandler =>
  withInbox<{ key: string }>(db.orm, async (envelope, { em }) => {
    const row = await em.findOne(Tally, { key: envelope.data.key });
    if (row) row.count += 1;
    else em.create(Tally, { key: envelope.data.key, count: 1 });
  });

async function consumerState(subject: string) {
  const info = await jsm.consumers.info(nats.stream, consumerName(SERVICE, subject));
  return { pending: info.num_pending, unacked: info.num_ack_pending };
}

const deadLetters = () => listDeadLetters(jsm, nats.deadLetters.stream);

describe('consumers with the inbox, against JetStream and PostgreSQL', () => {
  it('changes the data once when the same event is delivered twice', async () => {
    const event = registered('twice');
    // Stored twice, as after a re-publish outside the duplicate window: no msg id, so no server dedupe.
    const js = jetstream(nc);
    await js.publish(event.type, JSON.stringify(event));
    await js.publish(event.type, JSON.stringify(event));
    await nats.bus.subscribe(event.type, countIt());
    await vi.waitFor(async () => expect(await consumerState(event.type)).toEqual({ pending: 0, unacked: 0 }), WAIT);
    expect(await tally(db.orm, 'twice')).toBe(1);
    expect(await db.orm.em.fork().count(InboxMessage, { eventId: event.id })).toBe(1);
  });

  it('lets one of several concurrent deliveries of one event through (two instances at once)', async () => {
    const event = registered('race');
    const handle = countIt();
    await Promise.all(
      Array.from({ length: 5 }, () => handle(event, { consumer: 'c', deliveryCount: 1, log: silentLog() })),
    );
    expect(await tally(db.orm, 'race')).toBe(1);
  });

  it('retries a failing handler with backoff, rolling back each try, then dead-letters it with its error', async () => {
    const { log, lines } = capturingLog();
    const bus = await nats.openAnother({ log });
    const attempts: number[] = [];
    const event = registered('doomed');
    await bus.subscribe(
      event.type,
      withInbox(db.orm, async (_envelope, { em }) => {
        attempts.push(performance.now());
        em.create(Tally, { key: 'doomed', count: 1 });
        await em.flush();
        throw new Error('credit bureau unavailable');
      }),
    );
    await nats.bus.publish(event);
    await vi.waitFor(async () => expect(await deadLetters()).toHaveLength(1), WAIT);
    expect((await deadLetters())[0]).toMatchObject({
      consumer: consumerName(SERVICE, event.type),
      eventId: event.id,
      deliveryCount: RETRY.maxDeliver,
      error: 'credit bureau unavailable',
      envelope: event,
    });
    const subjects: string[] = [];
    for await (const stored of readStream(jsm, nats.deadLetters.stream)) subjects.push(stored.subject);
    expect(subjects).toEqual([deadLetterSubject(nats.deadLetters.subjectPrefix, SERVICE, event.type)]);
    // Each try waited longer than the one before, and each was rolled back with its inbox row.
    expect(attempts).toHaveLength(RETRY.maxDeliver);
    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(RETRY.backoffMs[i]! - 20);
    expect(await tally(db.orm, 'doomed')).toBeUndefined();
    expect(await db.orm.em.fork().count(InboxMessage)).toBe(0);

    // Logged with the event's ids, and never delivered again.
    expect(lines.filter((line) => line.msg === 'handler failed; event will be redelivered')).toHaveLength(3);
    expect(lines.find((line) => line.level === 50)).toMatchObject({
      eventId: event.id,
      correlationId: 'req-42',
      deliveryCount: RETRY.maxDeliver,
      err: { message: 'credit bureau unavailable' },
    });
    await vi.waitFor(async () => expect(await consumerState(event.type)).toEqual({ pending: 0, unacked: 0 }), WAIT);
    await sleep(600);
    expect(attempts).toHaveLength(RETRY.maxDeliver);
  });

  it('keeps the messages of a fetch alive while they wait for a slot: none is delivered twice', async () => {
    // One slot, 400 ms a message, a 1 s ack wait: the fifth waits 1.6 s for its turn. A message
    // waiting unread in the fetch gets no progress signal, so the server would deliver it again.
    const bus = await nats.openAnother({ ackWaitMs: 1_000 });
    const subject = nats.subject('customer', 'slow');
    const deliveries: { key: string; deliveryCount: number }[] = [];
    await bus.subscribe(subject, async (envelope, { deliveryCount }) => {
      deliveries.push({ key: (envelope.data as { key: string }).key, deliveryCount });
      await sleep(400);
    });
    const keys = ['s1', 's2', 's3', 's4', 's5'];
    for (const key of keys) {
      await nats.bus.publish(createEnvelope({ subject, data: { key }, source: 'test', correlationId: key }));
    }
    await vi.waitFor(async () => expect(await consumerState(subject)).toEqual({ pending: 0, unacked: 0 }), WAIT);
    await sleep(1_200); // a redelivery would come after the ack wait
    expect(deliveries).toEqual(keys.map((key) => ({ key, deliveryCount: 1 })));
  });

  it('stops after the handler in progress, handing back what waits for a slot, which another instance then handles', async () => {
    const subject = nats.subject('customer', 'stopping');
    const first = await nats.openAnother();
    const handled: string[] = [];
    await first.subscribe(subject, async (envelope) => {
      handled.push((envelope.data as { key: string }).key);
      await sleep(1_000);
    });
    const keys = ['k1', 'k2', 'k3', 'k4'];
    for (const key of keys) {
      await nats.bus.publish(createEnvelope({ subject, data: { key }, source: 'test', correlationId: key }));
    }
    await vi.waitFor(() => expect(handled).toEqual(['k1']), WAIT);
    const stopping = performance.now();
    await first.close();
    // The one in progress and the open fetch's expiry (2 s), not the three waiting behind it (3 s more).
    expect(performance.now() - stopping).toBeLessThan(2_900);
    expect(handled).toEqual(['k1']);

    const second = await nats.openAnother();
    await second.subscribe(subject, async (envelope) => {
      handled.push((envelope.data as { key: string }).key);
    });
    await vi.waitFor(() => expect(handled.toSorted()).toEqual(keys), WAIT);
  });

  it('dead-letters a message that is not an event envelope at once', async () => {
    const subject = nats.subject('customer', 'garbled');
    await nats.bus.subscribe(subject, countIt());
    await jetstream(nc).publish(subject, '{"not": "an envelope"');
    await vi.waitFor(async () => expect(await deadLetters()).toHaveLength(1), WAIT);
    expect((await deadLetters())[0]).toMatchObject({ eventId: null, deliveryCount: 1, raw: '{"not": "an envelope"' });
  });
});

describe('inbox pruning', () => {
  it('deletes handled rows past the retention and keeps the recent ones', async () => {
    const em = db.orm.em.fork();
    const old = [randomUUID(), randomUUID()];
    const recent = randomUUID();
    for (const eventId of old) {
      await em
        .getConnection()
        .execute(
          `insert into inbox_messages (consumer, event_id, subject, handled_at) values (?, ?, ?, now() - interval '8 days')`,
          ['prune-test', eventId, 'a.b.c.v1'],
        );
    }
    await em
      .getConnection()
      .execute(`insert into inbox_messages (consumer, event_id, subject) values (?, ?, ?)`, [
        'prune-test',
        recent,
        'a.b.c.v1',
      ]);
    expect(await pruneHandled(em, 7 * 86_400_000)).toBe(2);
    const left = await db.orm.em.fork().find(InboxMessage, { consumer: 'prune-test' });
    expect(left.map((row) => row.eventId)).toEqual([recent]);
  });
});
