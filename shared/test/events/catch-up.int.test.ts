import { setTimeout as sleep } from 'node:timers/promises';
import { publishWithoutMsgId } from '@commerce-supergraph/test-support/jetstream';
import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consumerName } from '../../src/events/bus.js';
import { createEnvelope } from '../../src/events/envelope.js';
import { withInbox } from '../../src/events/inbox.js';
import { ConsumerCatchUp } from '../../src/events/jetstream/catch-up.js';
import { openTestBus, openTestDatabase, Tally, type TestBus, type TestDatabase, tally } from './helpers.js';

const SERVICE = 'catch-up-test';
/** Where the projection-like consumer keeps the highest stream sequence it applied. */
const POSITION = 'position';
let db: TestDatabase;
let nats: TestBus;

beforeEach(async () => {
  db = await openTestDatabase();
  nats = await openTestBus(SERVICE);
});
afterEach(async () => {
  await nats.dispose();
  await db.dispose();
});

const event = (subject: string, key: string) =>
  createEnvelope({ subject, data: { key }, source: 'test', correlationId: 'catch-up' });

/**
 * A projection-like consumer: one at a time, each event adds one to its key's tally after
 * `delayMs`, and the stream sequence it applied is kept in the same transaction.
 */
async function project(subject: string, delayMs: number) {
  await nats.bus.subscribe(
    subject,
    withInbox<{ key: string }>(db.orm, async (envelope, { em, delivery }) => {
      await sleep(delayMs);
      const row = await em.findOne(Tally, { key: envelope.data.key });
      if (row) row.count += 1;
      else em.create(Tally, { key: envelope.data.key, count: 1 });
      await em.execute(
        `insert into tallies (key, count) values (?, ?)
         on conflict (key) do update set count = greatest(tallies.count, excluded.count)`,
        [POSITION, delivery.streamSequence],
      );
    }),
  );
}

const catchUp = (subject: string, options: { maxWaitMs?: number; withPosition?: boolean } = {}) =>
  new ConsumerCatchUp({
    connection: () => nats.bus.connection,
    subject,
    consumer: consumerName(SERVICE, subject),
    appliedSequence: options.withPosition === false ? undefined : async () => (await tally(db.orm, POSITION)) ?? 0,
    maxWaitMs: options.maxWaitMs,
  });

describe('waiting for a consumer to apply what its stream holds', () => {
  it('costs one request when the consumer has applied everything, and concurrent callers share requests', async () => {
    const subject = nats.subject('product', 'upserted');
    await project(subject, 0);
    await nats.bus.publish(event(subject, 'a'));
    const barrier = catchUp(subject);
    await expect.poll(() => barrier.wait(), { timeout: 5_000 }).toBe('current');
    const before = barrier.requests;
    expect(await barrier.wait()).toBe('current');
    expect(barrier.requests).toEqual({ target: before.target + 1, progress: before.progress });
    const together = await Promise.all(Array.from({ length: 50 }, () => barrier.wait()));
    expect(new Set(together)).toEqual(new Set(['current']));
    expect(barrier.requests.target - before.target - 1).toBeLessThanOrEqual(2);
    expect(barrier.requests.progress).toBe(before.progress);
  });

  it("reads the consumer's position again only after the subject got a new message", async () => {
    const subject = nats.subject('product', 'reads');
    await project(subject, 0);
    await nats.bus.publish(event(subject, 'a'));
    let reads = 0;
    const barrier = new ConsumerCatchUp({
      connection: () => nats.bus.connection,
      subject,
      consumer: consumerName(SERVICE, subject),
      appliedSequence: async () => {
        reads += 1;
        return (await tally(db.orm, POSITION)) ?? 0;
      },
    });
    await expect.poll(() => barrier.wait(), { timeout: 5_000 }).toBe('current');
    const settled = reads;
    for (let n = 0; n < 5; n++) expect(await barrier.wait()).toBe('current');
    expect(reads).toBe(settled);
    // A new message: the position known from before no longer proves it, so it is read again.
    await nats.bus.publish(event(subject, 'b'));
    await expect.poll(() => barrier.wait(), { timeout: 5_000 }).toBe('current');
    expect(reads).toBeGreaterThan(settled);
    const again = reads;
    expect(await barrier.wait()).toBe('current');
    expect(reads).toBe(again);
  });

  it('waits while the consumer is behind, until it has applied every event published before the call', async () => {
    const subject = nats.subject('product', 'upserted');
    await project(subject, 20);
    await nats.bus.publish(event(subject, 'warm-up'));
    const barrier = catchUp(subject, { maxWaitMs: 5_000 });
    await expect.poll(() => barrier.wait(), { timeout: 5_000 }).toBe('current');
    for (let i = 0; i < 10; i++) await nats.bus.publish(event(subject, 'burst'));
    expect(await barrier.wait()).toBe('caught-up');
    expect(await tally(db.orm, 'burst')).toBe(10);
  });

  it('gives up after its longest wait when the consumer stays behind', async () => {
    const subject = nats.subject('product', 'upserted');
    await project(subject, 1_000);
    await nats.bus.publish(event(subject, 'slow'));
    const barrier = catchUp(subject, { maxWaitMs: 200 });
    const started = performance.now();
    expect(await barrier.wait()).toBe('behind');
    expect(performance.now() - started).toBeLessThan(600);
  });

  it('is current when the stream ends with messages of subjects the consumer does not read', async () => {
    const subject = nats.subject('product', 'upserted');
    await project(subject, 0);
    await nats.bus.publish(event(subject, 'mine'));
    const barrier = catchUp(subject);
    await expect.poll(() => barrier.wait(), { timeout: 5_000 }).toBe('current');
    await nats.bus.publish(event(nats.subject('brand', 'created'), 'theirs'));
    expect(await barrier.wait()).toBe('current');
  });

  it("asks the consumer's progress when its own record lags: a copy its inbox skipped, or no record at all", async () => {
    const subject = nats.subject('product', 'upserted');
    await project(subject, 0);
    const original = event(subject, 'copied');
    await nats.bus.publish(original);
    const barrier = catchUp(subject);
    await expect.poll(() => barrier.wait(), { timeout: 5_000 }).toBe('current');
    // A second copy (as a replay stores it): the inbox skips it, so the recorded position stays behind.
    await publishWithoutMsgId(TEST_NATS_URL, original);
    await expect.poll(() => barrier.wait(), { timeout: 5_000 }).toBe('current');
    const started = performance.now();
    expect(await barrier.wait()).toBe('current');
    expect(performance.now() - started).toBeLessThan(100);
    expect(await tally(db.orm, 'copied')).toBe(1);
    expect(await catchUp(subject, { withPosition: false }).wait()).toBe('current');
  });

  it('answers unavailable, at once, without NATS or without the consumer', async () => {
    const subject = nats.subject('product', 'upserted');
    const noConnection = new ConsumerCatchUp({ connection: () => undefined, subject, consumer: 'nobody' });
    expect(await noConnection.wait()).toBe('unavailable');
    await nats.bus.publish(event(subject, 'unread'));
    const started = performance.now();
    expect(await catchUp(subject).wait()).toBe('unavailable');
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
