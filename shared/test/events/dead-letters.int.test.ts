import { streamEvents } from '@commerce-supergraph/test-support/jetstream';
import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { consumerName, deadLetterSubject, type EventHandler } from '../../src/events/bus.js';
import { createEnvelope } from '../../src/events/envelope.js';
import { InboxMessage, withInbox } from '../../src/events/inbox.js';
import { DeadLetterStore, NotReplayableError } from '../../src/events/jetstream/dead-letters.js';
import { openTestBus, openTestDatabase, Tally, type TestBus, type TestDatabase, tally } from './helpers.js';

const WAIT = { timeout: 15_000, interval: 50 };
const RETRY = { maxDeliver: 2, backoffMs: [50] };
let db: TestDatabase;
let nats: TestBus;
let nc: NatsConnection;
let store: DeadLetterStore;

beforeAll(async () => {
  nc = await connect({ servers: TEST_NATS_URL });
});
afterAll(() => nc.close());
beforeEach(async () => {
  db = await openTestDatabase();
  nats = await openTestBus('billing', { retry: RETRY });
  store = await DeadLetterStore.on(nc, nats.deadLetters);
});
afterEach(async () => {
  await nats.dispose();
  await db.dispose();
});

/** A consumer's effect: one more on `<service>:<key>`; it fails while `broken()` says so. */
const countIt = (service: string, broken: () => boolean = () => false): EventHandler =>
  withInbox<{ key: string }>(db.orm, async (envelope, { em }) => {
    if (broken()) throw new Error('ledger table locked by a migration');
    const key = `${service}:${envelope.data.key}`;
    const row = await em.findOne(Tally, { key });
    if (row) row.count += 1;
    else em.create(Tally, { key, count: 1 });
  });

const handledBy = (service: string, subject: string, eventId: string) =>
  db.orm.em.fork().count(InboxMessage, { consumer: consumerName(service, subject), eventId });

/**
 * Two services consume one subject: `billing` fails while its cause lasts, `shipping` handles
 * everything. Returns the subject, the switch that fixes billing, and a way to publish an event.
 */
async function twoConsumers() {
  let broken = true;
  const subject = nats.subject('order', 'placed');
  await nats.bus.subscribe(
    subject,
    countIt('billing', () => broken),
  );
  const shipping = await nats.openAnother({ service: 'shipping' });
  await shipping.subscribe(subject, countIt('shipping'));
  const publish = async (key: string) => {
    const event = createEnvelope({ subject, data: { key }, source: 'test', correlationId: `req-${key}` });
    await nats.bus.publish(event);
    return event;
  };
  return { subject, publish, fix: () => (broken = false), breakAgain: () => (broken = true) };
}

describe('dead letters: list, replay, discard', () => {
  it('replays a dead letter to the consumer that failed, once; the other consumer skips it through its inbox', async () => {
    const { subject, publish, fix } = await twoConsumers();
    const event = await publish('o-1');
    await vi.waitFor(async () => expect(await store.list()).toHaveLength(1), WAIT);
    const [letter] = await store.list();
    expect(letter).toMatchObject({
      consumer: consumerName('billing', subject),
      subject,
      eventId: event.id,
      deliveryCount: RETRY.maxDeliver,
      error: 'ledger table locked by a migration',
      envelope: event,
      storedSubject: deadLetterSubject(nats.deadLetters.subjectPrefix, 'billing', subject),
    });
    expect(await store.get(letter!.seq)).toEqual(letter);
    expect(await tally(db.orm, 'shipping:o-1')).toBe(1);
    expect(await tally(db.orm, 'billing:o-1')).toBeUndefined();

    fix();
    const replayed = await store.replay(letter!);
    expect(replayed).toMatchObject({ stream: nats.stream, duplicate: false });
    await vi.waitFor(async () => expect(await tally(db.orm, 'billing:o-1')).toBe(1), WAIT);
    // Shipping received the copy too: its inbox knew the id, so it skipped it.
    await vi.waitFor(async () => expect(await handledBy('shipping', subject, event.id)).toBe(1), WAIT);
    expect(await tally(db.orm, 'shipping:o-1')).toBe(1);
    expect(await store.list()).toEqual([]);
    // The copy is the same envelope under a msg id of its own.
    const copies = (await streamEvents(TEST_NATS_URL, nats.stream)).filter((e) => e.id === event.id);
    expect(copies.map((e) => e.msgId)).toEqual([event.id, `${event.id}:replay:${letter!.seq}`]);

    // Replayed again: inside the duplicate window the server keeps one copy...
    expect(await store.replay(letter!)).toMatchObject({ seq: replayed.seq, duplicate: true });
    // ...and a letter kept twice (so a second copy is stored) is skipped by every inbox.
    await jetstream(nc).publish(letter!.storedSubject, JSON.stringify({ ...letter, seq: undefined }));
    const [twice] = await store.list();
    expect(await store.replay(twice!)).toMatchObject({ duplicate: false });
    await vi.waitFor(async () => {
      const stored = (await streamEvents(TEST_NATS_URL, nats.stream)).filter((e) => e.id === event.id);
      expect(stored).toHaveLength(3);
    }, WAIT);
    // Both consumers have taken every copy (none waiting, none unacknowledged), and applied it once.
    const jsm = await jetstreamManager(nc);
    for (const service of ['billing', 'shipping']) {
      await vi.waitFor(async () => {
        const info = await jsm.consumers.info(nats.stream, consumerName(service, subject));
        expect([info.num_pending, info.num_ack_pending]).toEqual([0, 0]);
      }, WAIT);
    }
    expect(await tally(db.orm, 'billing:o-1')).toBe(1);
    expect(await tally(db.orm, 'shipping:o-1')).toBe(1);
  });

  it('discards a dead letter: it is gone and nothing applies it', async () => {
    const { publish, fix } = await twoConsumers();
    await publish('o-2');
    await vi.waitFor(async () => expect(await store.list()).toHaveLength(1), WAIT);
    const [letter] = await store.list();
    fix();
    expect(await store.discard(letter!.seq)).toBe(true);
    expect(await store.list()).toEqual([]);
    expect(await store.get(letter!.seq)).toBeUndefined();
    expect(await store.discard(letter!.seq)).toBe(false);
    expect(await tally(db.orm, 'billing:o-2')).toBeUndefined();
    expect(await tally(db.orm, 'shipping:o-2')).toBe(1);
  });

  it('refuses to replay a message that was not an event envelope, and can discard it', async () => {
    const subject = nats.subject('order', 'garbled');
    await nats.bus.subscribe(subject, countIt('billing'));
    await jetstream(nc).publish(subject, '{"not": "an envelope"');
    await vi.waitFor(async () => expect(await store.list()).toHaveLength(1), WAIT);
    const [letter] = await store.list();
    expect(letter).toMatchObject({ eventId: null, envelope: null, raw: '{"not": "an envelope"' });
    await expect(store.replay(letter!)).rejects.toBeInstanceOf(NotReplayableError);
    expect(await store.discard(letter!.seq)).toBe(true);
  });

  it('lists nothing, and finds nothing, before any dead letter was kept', async () => {
    const empty = await DeadLetterStore.on(nc, { stream: `${nats.stream}_NONE`, subjectPrefix: 'none' });
    expect(await empty.list()).toEqual([]);
    expect(await empty.get(1)).toBeUndefined();
    expect(await empty.discard(1)).toBe(false);
  });
});
