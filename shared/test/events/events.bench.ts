import { it } from 'vitest';
import type { EventHandler } from '../../src/events/bus.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { withInbox } from '../../src/events/inbox.js';
import { recordEvent } from '../../src/events/outbox.js';
import { OutboxRelay } from '../../src/events/relay.js';
import { openTestBus, openTestDatabase, silentLog, Tally, type TestBus, type TestDatabase } from './helpers.js';

/**
 * Outbox -> JetStream -> consumer on this machine. Every event is committed in its own transaction
 * (as a request would) and published by the relay that commit kicks; the consumer handles it in its
 * own transaction behind the inbox. Throughput is measured with a burst; latency at a steady rate
 * below saturation (under a burst, latency is just queueing). Bounded in count (BENCH_EVENTS,
 * default 2000) and time (120 s a scenario); the database and streams are its own and removed.
 */
const COUNT = Number(process.env.BENCH_EVENTS ?? 2_000);
const LIMIT_MS = 120_000;

it('outbox -> JetStream -> consumer', async () => {
  const db = await openTestDatabase();
  const nats = await openTestBus('bench');
  const relay = new OutboxRelay(db.orm, nats.bus, { log: silentLog() });
  relay.start();
  try {
    console.log(`\nevents bench (${COUNT} events a burst; each event its own transaction)`);
    for (const concurrency of [1, 8]) {
      const run = await measure(db, nats, `burst${concurrency}`, { concurrency, writers: 16, count: COUNT });
      console.log(
        `burst, 16 writers, consumer concurrency ${concurrency}: ${rate(run.committed, run.writeMs)} commits/s, ` +
          `${rate(run.handled, run.totalMs)} events/s handled end to end`,
      );
    }
    const steady = await measure(db, nats, 'steady', { concurrency: 1, writers: 1, count: COUNT / 4, pauseMs: 5 });
    const steadyRate = rate(steady.committed, steady.writeMs);
    console.log(`steady ${steadyRate} events/s, consumer concurrency 1 (${steady.handled.size} events):`);
    console.log(`  commit -> delivered (no-op consumer):         ${percentiles(steady.committed, steady.delivered)}`);
    console.log(`  commit -> handled (inbox + write, committed): ${percentiles(steady.committed, steady.handled)}`);
  } finally {
    await relay.stop(1_000);
    await nats.dispose();
    await db.dispose();
  }
});

interface Scenario {
  concurrency: number;
  writers: number;
  count: number;
  pauseMs?: number;
}

async function measure(db: TestDatabase, nats: TestBus, verb: string, scenario: Scenario) {
  const subject = nats.subject('bench', verb);
  const committed = new Map<string, number>();
  const handled = new Map<string, number>();
  const delivered = new Map<string, number>();
  const finished = deferred();
  const handle = withInbox<{ n: number }>(db.orm, async (envelope, { em }) => {
    em.create(Tally, { key: envelope.id, count: envelope.data.n });
  });
  const timed =
    (into: Map<string, number>, inner?: EventHandler): EventHandler =>
    async (envelope, delivery) => {
      await inner?.(envelope, delivery);
      into.set(envelope.id, performance.now());
      if (handled.size === scenario.count && delivered.size === scenario.count) finished.resolve();
    };
  await nats.bus.subscribe(subject, timed(handled, handle), { concurrency: scenario.concurrency });
  await nats.bus.subscribe(subject, timed(delivered), { name: `bench__observer_${verb}`, concurrency: 8 });

  const started = performance.now();
  let next = 0;
  const writer = async () => {
    while (next < scenario.count) {
      const n = next++;
      const envelope: EventEnvelope = await db.orm.em
        .fork()
        .transactional(async (em) =>
          recordEvent(em, { subject, data: { n }, source: 'bench', correlationId: `b${n}` }),
        );
      committed.set(envelope.id, performance.now());
      if (scenario.pauseMs) await new Promise((resolve) => setTimeout(resolve, scenario.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: scenario.writers }, writer));
  const writeMs = performance.now() - started;
  await Promise.race([finished.promise, failAfter(LIMIT_MS)]);
  return { committed, handled, delivered, writeMs, totalMs: performance.now() - started };
}

const rate = (events: Map<string, number>, ms: number): number => Math.round((events.size / ms) * 1000);

function percentiles(committed: Map<string, number>, reached: Map<string, number>): string {
  const sorted = [...reached].map(([id, at]) => at - (committed.get(id) ?? at)).sort((a, b) => a - b);
  const at = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN).toFixed(1);
  return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const failAfter = (ms: number) =>
  new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`bench did not finish in ${ms} ms`)), ms).unref());
