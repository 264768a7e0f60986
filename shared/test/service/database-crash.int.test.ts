import { setTimeout as sleep } from 'node:timers/promises';
import { uniqueName } from '@commerce-supergraph/test-support/names';
import { startNatsServer, type TestNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { startPostgresServer, type TestPostgresServer } from '@commerce-supergraph/test-support/postgres-server';
import { TEST_GATEWAY_SECRET } from '@commerce-supergraph/test-support/subgraph';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { ormOptions } from '../../src/db/orm.js';
import type { SubgraphService } from '../../src/graphql/subgraph-service.js';
import { silentLog, Tally } from '../events/helpers.js';
import { createThingDatabase, thingEntities, thingSubgraph } from './test-subgraph.js';

// The fault of issue 16: PostgreSQL stopped immediately (a crash, as clients see it) and restarted
// while the service had transactions open. A private PostgreSQL and a private NATS: never the machine's.
let pg: TestPostgresServer;
let nats: TestNatsServer;
let service: SubgraphService | undefined;
let dbName: string;

beforeEach(async () => {
  [pg, nats] = await Promise.all([startPostgresServer(), startNatsServer()]);
  dbName = uniqueName('crash');
  await createThingDatabase(pg.url, dbName);
});
afterEach(async () => {
  // Bounded, so a service that hangs on stop still lets the servers go.
  await Promise.race([service?.stop(), sleep(20_000)]);
  service = undefined;
  await Promise.all([pg.dispose(), nats.dispose()]);
});

/** One look at `/ready`, which must answer within 2 s whatever the database does. */
async function ready(base: string): Promise<{ status: number; ms: number; body: any }> {
  const started = performance.now();
  const response = await fetch(new URL('/ready', base), { signal: AbortSignal.timeout(2_000) });
  return { status: response.status, ms: performance.now() - started, body: await response.json() };
}

async function graphql(base: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(base, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gateway-secret': TEST_GATEWAY_SECRET },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

/**
 * What the crashed server still runs for us: the handlers' transactions sleeping in pg_sleep (their
 * message may begin with what the connection guard held back: the begin, the inbox claim).
 */
async function sleepingTransactions(): Promise<number> {
  const orm = await MikroORM.init(
    ormOptions({ url: pg.url, dbName, entities: thingEntities, migrations: [], log: silentLog() }),
  );
  try {
    const [row] = await orm.em
      .fork()
      .execute<{ count: string }[]>(
        `select count(*) from pg_stat_activity where pid <> pg_backend_pid() and query like '%select pg_sleep(%'`,
      );
    return Number(row?.count ?? 0);
  } finally {
    await orm.close(true);
  }
}

it('becomes ready again within seconds after PostgreSQL crashes and restarts mid-transaction', async () => {
  service = thingSubgraph(
    { databaseUrl: pg.url, natsUrl: nats.url, dbName },
    { events: { relay: { sweepIntervalMs: 200 } } },
  );
  const { url } = await service.start();
  await vi.waitFor(async () => expect((await ready(url)).status).toBe(200), { timeout: 10_000, interval: 100 });

  // More transactions open than the pool has connections: 16 handlers hold theirs for 5 s each.
  for (let n = 0; n < 20; n++) {
    const added = await graphql(url, 'mutation($n: String!) { addThing(name: $n, holdMs: 5000) }', { n: `t${n}` });
    expect(added.errors).toBeUndefined();
  }
  await vi.waitFor(async () => expect(await sleepingTransactions()).toBeGreaterThanOrEqual(10), {
    timeout: 10_000,
    interval: 100,
  });

  await pg.stop('immediate');
  // /ready is asked every 200 ms from the crash on, and must answer each time within 2 s.
  const answers: { status: number; ms: number; at: number }[] = [];
  const crashed = performance.now();
  let accepting: number | undefined;
  const restart = sleep(1_000)
    .then(() => pg.start({ wait: false }))
    .then(() => pg.waitUntilAccepting())
    .then(() => {
      accepting = performance.now();
    });
  for (;;) {
    const answer = await ready(url);
    answers.push({ status: answer.status, ms: Math.round(answer.ms), at: Math.round(performance.now() - crashed) });
    if (answer.status === 200 && accepting !== undefined) break;
    expect(performance.now() - crashed, JSON.stringify(answers)).toBeLessThan(20_000);
    await sleep(200);
  }
  await restart;
  const readyAfterMs = performance.now() - (accepting ?? 0);
  console.info(`ready ${Math.round(readyAfterMs)} ms after PostgreSQL accepted connections again`, answers);
  expect(readyAfterMs).toBeLessThan(5_000);
  expect(answers.some((answer) => answer.status === 503)).toBe(true);
  expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(2_000);

  // And it works again: every event is handled once (those that failed while the database was away
  // come back with the retry backoff: 1 s, 5 s, 15 s), and requests are served.
  await vi.waitFor(
    async () => {
      const count = await graphql(url, '{ thingCount }');
      expect(count.data?.thingCount).toBe(20);
      const orm = await MikroORM.init(
        ormOptions({ url: pg.url, dbName, entities: thingEntities, migrations: [], log: silentLog() }),
      );
      try {
        expect(await orm.em.fork().count(Tally)).toBe(20);
      } finally {
        await orm.close(true);
      }
    },
    { timeout: 60_000, interval: 500 },
  );

  const stopping = performance.now();
  await service.stop();
  service = undefined;
  expect(performance.now() - stopping).toBeLessThan(15_000);
}, 150_000);

it('starts while PostgreSQL is down or still recovering, and is ready as soon as it accepts connections', async () => {
  await pg.stop('immediate');
  service = thingSubgraph({ databaseUrl: pg.url, natsUrl: nats.url, dbName });
  const starting = service.start();
  await sleep(1_500);
  await pg.start({ wait: false });
  await pg.waitUntilAccepting();
  const accepting = performance.now();
  const { url } = await starting;
  const startedAfterMs = performance.now() - accepting;
  expect((await ready(url)).status).toBe(200);
  console.info(`started ${Math.round(startedAfterMs)} ms after PostgreSQL accepted connections`);
  expect(startedAfterMs).toBeLessThan(5_000);
}, 60_000);

it('reports why it is not ready, gives up after the watchdog bound, and still stops in time', async () => {
  service = thingSubgraph(
    { databaseUrl: pg.url, natsUrl: nats.url, dbName },
    { database: { health: { intervalMs: 200, giveUpAfterMs: 3_000 } } },
  );
  const fatal: Error[] = [];
  service.onFatal((error) => fatal.push(error));
  const { url } = await service.start();
  const base = new URL('/', url);
  // The database is gone from some moment during the stop: the bound is measured from its start.
  const down = performance.now();
  await pg.stop('immediate');

  const notReady = await ready(url);
  expect(notReady.status).toBe(503);
  expect(notReady.ms).toBeLessThan(2_000);
  expect(notReady.body).toMatchObject({ status: 'not ready', checks: { database: 'unavailable' } });
  expect(notReady.body.reasons.database).toEqual(expect.any(String));
  // /health shows the watchdog's last probe (every 200 ms here), /ready asks PostgreSQL itself: /health
  // follows within a round of the watchdog, and answers at once all the while.
  await vi.waitFor(
    async () => {
      const asked = performance.now();
      const health = await (await fetch(new URL('/health', base), { signal: AbortSignal.timeout(2_000) })).json();
      expect(performance.now() - asked).toBeLessThan(2_000);
      expect(health).toMatchObject({ status: 'ok', database: { status: 'down', reason: expect.any(String) } });
    },
    { timeout: 2_000, interval: 50 },
  );

  // A request meanwhile is told the service is away, not that something broke (no masked internal error).
  const during = await graphql(url, '{ thingCount }');
  expect(during.errors).toEqual([
    expect.objectContaining({
      message: 'Service temporarily unavailable',
      path: ['thingCount'],
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    }),
  ]);

  await vi.waitFor(() => expect(fatal).toHaveLength(1), { timeout: 10_000, interval: 100 });
  const gaveUpAfterMs = performance.now() - down;
  expect(gaveUpAfterMs).toBeGreaterThanOrEqual(2_900);
  expect(gaveUpAfterMs).toBeLessThan(6_000);
  expect(fatal[0]?.message).toMatch(/database unavailable for \d+ s/);

  const stopping = performance.now();
  await service.stop();
  service = undefined;
  expect(performance.now() - stopping).toBeLessThan(15_000);
}, 60_000);

it('answers /ready within 2 s while PostgreSQL hangs, fails requests within their deadlines, and recovers', async () => {
  service = thingSubgraph(
    { databaseUrl: pg.url, natsUrl: nats.url, dbName },
    { database: { timeouts: { acquireMs: 1_000, statementMs: 1_000 } } },
  );
  const { url } = await service.start();
  await vi.waitFor(async () => expect((await ready(url)).status).toBe(200), { timeout: 10_000, interval: 100 });
  await pg.freeze();
  try {
    const answers: { status: number; ms: number }[] = [];
    for (let n = 0; n < 8; n++) {
      const answer = await ready(url);
      answers.push({ status: answer.status, ms: Math.round(answer.ms) });
      expect(answer.body.reasons?.database).toEqual(expect.any(String));
    }
    console.info('/ready while PostgreSQL hangs', answers);
    expect(answers.every((answer) => answer.status === 503 && answer.ms < 2_000)).toBe(true);
    // A request waits no longer than the client's deadline (statement timeout + 5 s), then fails.
    const started = performance.now();
    const count = await graphql(url, '{ thingCount }');
    expect(count.errors).toBeDefined();
    expect(performance.now() - started).toBeLessThan(8_000);
  } finally {
    await pg.thaw();
  }
  await vi.waitFor(async () => expect((await ready(url)).status).toBe(200), { timeout: 10_000, interval: 100 });
  expect((await graphql(url, '{ thingCount }')).data?.thingCount).toBe(0);
}, 60_000);
