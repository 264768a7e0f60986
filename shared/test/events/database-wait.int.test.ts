import { setTimeout as sleep } from 'node:timers/promises';
import { streamEvents } from '@commerce-supergraph/test-support/jetstream';
import { uniqueName } from '@commerce-supergraph/test-support/names';
import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { startPostgresServer, type TestPostgresServer } from '@commerce-supergraph/test-support/postgres-server';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { ormOptions } from '../../src/db/orm.js';
import type { Delivery } from '../../src/events/bus.js';
import { createEnvelope } from '../../src/events/envelope.js';
import { InboxMessage, withInbox } from '../../src/events/inbox.js';
import { openTestBus, silentLog, Tally, type TestBus } from './helpers.js';

// A handler whose database crashes and restarts (issue 16): the event must be handled within about
// a second of PostgreSQL accepting connections again, and waiting must not spend its deliveries.
// A private PostgreSQL (stopped here), the machine's NATS with a stream of its own.
let pg: TestPostgresServer;
let nats: TestBus;
let orm: MikroORM;

beforeEach(async () => {
  [pg, nats] = await Promise.all([startPostgresServer(), openTestBus('dbwait')]);
  orm = await MikroORM.init(
    ormOptions({
      url: pg.url,
      dbName: uniqueName('dbwait'),
      entities: [InboxMessage, Tally],
      migrations: [],
      log: silentLog(),
      // Connecting to a server that is starting or away must fail fast enough to be waited out.
      timeouts: { acquireMs: 1_000 },
    }),
  );
  await orm.schema.ensureDatabase();
  await orm.schema.create();
});
afterEach(async () => {
  await nats.dispose();
  await orm.close(true);
  await pg.dispose();
});

it('handles an event within about a second of PostgreSQL returning, on its first delivery, with no dead letter', async () => {
  const subject = nats.subject('order', 'created');
  const handled: { delivery: Delivery; at: number }[] = [];
  await nats.bus.subscribe(
    subject,
    withInbox(orm, async (envelope, { em, delivery }) => {
      em.create(Tally, { key: envelope.id, count: 1 });
      handled.push({ delivery, at: performance.now() });
    }),
  );
  // The consumer is pulling (a first event went through), then PostgreSQL crashes.
  await nats.bus.publish(createEnvelope({ subject, data: {}, source: 'test', correlationId: 'warm-up' }));
  await vi.waitFor(() => expect(handled).toHaveLength(1), { timeout: 10_000, interval: 20 });
  await pg.stop('immediate');
  const stoppedAt = performance.now();

  const event = createEnvelope({ subject, data: {}, source: 'test', correlationId: 'during-outage' });
  await nats.bus.publish(event);
  // Longer than the first retry backoffs (1 s, 5 s) would wait in total, had they been spent.
  await sleep(7_000);
  expect(handled).toHaveLength(1);
  await pg.start({ wait: false });
  await pg.waitUntilAccepting(30_000);
  const acceptingAt = performance.now();

  await vi.waitFor(() => expect(handled).toHaveLength(2), { timeout: 15_000, interval: 20 });
  const after = handled[1]!;
  console.info(`handled ${Math.round(after.at - acceptingAt)} ms after PostgreSQL accepted connections again`);
  expect(after.at - acceptingAt).toBeLessThan(1_500);
  // Waited out in place: at most one hand-back per (up to 10 s) hold period the outage began,
  // however long PostgreSQL's recovery takes on a busy machine; never the retry backoff's deliveries.
  const outageMs = acceptingAt - stoppedAt;
  expect(after.delivery.deliveryCount).toBeLessThanOrEqual(1 + Math.ceil(outageMs / 10_000));
  expect(await orm.em.fork().count(Tally, { key: event.id })).toBe(1);
  expect(await streamEvents(TEST_NATS_URL, nats.deadLetters.stream).catch(() => [])).toEqual([]);
}, 60_000);
