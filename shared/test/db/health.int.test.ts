import { dropDatabase, TEST_DATABASE_URL, testDatabaseName } from '@commerce-supergraph/test-support/database';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { DatabaseHealth } from '../../src/db/health.js';
import { ormOptions } from '../../src/db/orm.js';
import { silentLog } from '../events/helpers.js';

// `/ready` must not queue behind the work holding every pooled connection (issue 16): a pool of
// two, both held by transactions, and the readiness probe still answers at once, from PostgreSQL.
let orm: MikroORM;
let dbName: string;
let health: DatabaseHealth;
const release: (() => void)[] = [];

beforeEach(async () => {
  dbName = testDatabaseName('health');
  orm = await MikroORM.init(
    ormOptions({
      url: TEST_DATABASE_URL,
      dbName,
      entities: [],
      migrations: [],
      log: silentLog(),
      poolMax: 2,
      timeouts: { acquireMs: 3_000 },
      overrides: { discovery: { warnWhenNoEntities: false } },
    }),
  );
  await orm.schema.ensureDatabase();
});
afterEach(async () => {
  for (const done of release.splice(0)) done();
  await health?.stop();
  await orm.close(true);
  await dropDatabase(dbName);
});

/** Starts `count` transactions that each hold a pooled connection until the test lets them go. */
async function holdEveryConnection(count: number): Promise<Promise<unknown>[]> {
  let started = 0;
  const held = Array.from({ length: count }, () =>
    orm.em.fork().transactional(async (em) => {
      await em.execute('select 1');
      started++;
      await new Promise<void>((resolve) => release.push(resolve));
    }),
  );
  while (started < count) await new Promise((resolve) => setTimeout(resolve, 10));
  return held;
}

it('answers ready at once on a connection of its own while the pool is taken, then fails once the pool stays stuck', async () => {
  health = new DatabaseHealth({ orm, log: silentLog(), probeTimeoutMs: 300, poolStuckMs: 1_000 });
  await health.ready();
  const held = await holdEveryConnection(2);

  // The pool's own probe waits for a connection and fails; /ready's does not wait.
  await expect(health.check()).rejects.toThrow(/did not finish within 300 ms/);
  const started = performance.now();
  await health.ready();
  expect(performance.now() - started).toBeLessThan(300);

  // A pool that hands out nothing for poolStuckMs is reported, with the reason.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  await health.check().catch(() => undefined);
  await expect(health.ready()).rejects.toThrow(/connection pool has handed out no connection for 1 s/);

  for (const done of release.splice(0)) done();
  await Promise.all(held);
  // Once the pool hands out connections again (nobody left waiting), /ready says so at once.
  await health.ready();
});

it('fails when PostgreSQL does not answer on its connection, and recovers with a new one', async () => {
  health = new DatabaseHealth({ orm, log: silentLog(), readyTimeoutMs: 500 });
  await health.ready();
  // End the readiness connection from the server side, as a PostgreSQL restart would.
  await orm.em
    .fork()
    .execute(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'readiness' and datname = ?`,
      [dbName],
    );
  // At most one probe meets the dead connection; the next one opens a new connection.
  await health.ready().catch(() => undefined);
  await health.ready();
});

it('stays ready, and never gives up, while the pool is merely busy: callers queue, yet connections keep being handed out', async () => {
  const gaveUp: Error[] = [];
  health = new DatabaseHealth({
    orm,
    log: silentLog(),
    probeTimeoutMs: 50,
    poolStuckMs: 500,
    intervalMs: 100,
    giveUpAfterMs: 800,
    onGiveUp: (error) => gaveUp.push(error),
  });
  health.start();
  let busy = true;
  // Twenty workers on a pool of two, each statement 50 ms: always a queue, always progress.
  const workers = Array.from({ length: 20 }, async () => {
    while (busy) await orm.em.fork().execute('select pg_sleep(0.05)');
  });
  try {
    // The workers queue on the pool only after a few turns of MikroORM's own awaits: wait for the
    // queue, so the probe cannot take a free connection before them.
    const pool = (await orm.em.getConnection().getNativeClient()) as unknown as { waitingCount: number };
    await vi.waitFor(() => expect(pool.waitingCount).toBeGreaterThan(2), { timeout: 2_000, interval: 5 });
    await expect(health.check()).rejects.toThrow(/did not finish within 50 ms/);
    const until = performance.now() + 1_500;
    while (performance.now() < until) {
      await health.ready();
      await health.check().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(health.state().status).toBe('down');
    expect(gaveUp).toEqual([]);
  } finally {
    busy = false;
    await Promise.all(workers);
  }
});

it('gives up once the pool hands out nothing for the watchdog bound', async () => {
  const gaveUp: Error[] = [];
  health = new DatabaseHealth({
    orm,
    log: silentLog(),
    probeTimeoutMs: 100,
    intervalMs: 100,
    giveUpAfterMs: 800,
    onGiveUp: (error) => gaveUp.push(error),
  });
  health.start();
  await health.ready();
  const held = await holdEveryConnection(2);
  const started = performance.now();
  await vi.waitFor(() => expect(gaveUp).toHaveLength(1), { timeout: 5_000, interval: 20 });
  expect(performance.now() - started).toBeGreaterThanOrEqual(700);
  expect(gaveUp[0]?.message).toMatch(/giving up/);
  for (const done of release.splice(0)) done();
  await Promise.all(held);
});
