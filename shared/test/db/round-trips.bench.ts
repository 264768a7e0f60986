import { readFile } from 'node:fs/promises';
import { dropDatabase, TEST_DATABASE_URL, testDatabaseName } from '@commerce-supergraph/test-support/database';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inOneTrip } from '../../src/db/one-trip.js';
import { ormOptions } from '../../src/db/orm.js';
import { unitOfWork } from '../../src/db/unit-of-work.js';
import { silentLog } from '../events/helpers.js';

/**
 * What a placeOrder-shaped transaction costs (a lock, a read after it, an insert, the commit), sent
 * as this project sends it (the begin with the first statement, the lock and the read in one trip:
 * 3 round trips) and with every statement apart (5), on one database, rounds alternating. Prints
 * the client's CPU (this process), the server's (its backends, from /proc) and the wall time per
 * transaction, as medians of BENCH_ROUNDS rounds (default 5) of BENCH_TRANSACTIONS (default 4000),
 * run by 4 callers at once, after a warm-up.
 */
const TRANSACTIONS = Number(process.env.BENCH_TRANSACTIONS ?? 4_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CALLERS = 4;
const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

let dbName: string;
const orms: Record<'together' | 'apart', MikroORM> = {} as never;

beforeAll(async () => {
  dbName = testDatabaseName('round_trips');
  for (const mode of ['together', 'apart'] as const) {
    const options = {
      url: TEST_DATABASE_URL,
      dbName,
      entities: [],
      migrations: [],
      log: silentLog(),
      poolMax: CALLERS,
    };
    orms[mode] = await MikroORM.init(
      ormOptions({
        ...options,
        holdStatements: mode === 'together',
        overrides: { discovery: { warnWhenNoEntities: false } },
      }),
    );
  }
  await orms.together.schema.ensureDatabase();
  await orms.together.em.execute('create table orders (id bigserial primary key, customer int not null)');
  await orms.together.em.execute('create index on orders (customer)');
});
afterAll(async () => {
  await Promise.all(Object.values(orms).map((orm) => orm.close(true)));
  await dropDatabase(dbName);
});

/** CPU ticks of every backend of the bench's database. */
async function serverTicks(): Promise<number> {
  const rows = await orms.together.em
    .fork()
    .execute<{ pid: number }[]>('select pid from pg_stat_activity where datname = ?', [dbName]);
  let ticks = 0;
  for (const { pid } of rows) {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).split(') ')[1]?.split(' ') ?? [];
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks;
}

async function placeOne(mode: 'together' | 'apart', customer: number): Promise<void> {
  await unitOfWork(orms[mode].em.fork(), async (tx) => {
    const lock = ['select pg_advisory_xact_lock(?)', [customer]] as const;
    const read = ['select count(*)::int as open from orders where customer = ?', [customer]] as const;
    if (mode === 'together') await inOneTrip(tx, [lock, read]);
    else for (const [sql, params] of [lock, read]) await tx.execute(sql, [...params]);
    await tx.execute('insert into orders (customer) values (?)', [customer]);
  });
}

async function round(mode: 'together' | 'apart', count: number) {
  const ticks = await serverTicks();
  const usage = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      for (let i = 0; i < count / CALLERS; i += 1) await placeOne(mode, caller * 1_000 + (i % 100));
    }),
  );
  const used = process.cpuUsage(usage);
  return {
    wall: ((performance.now() - started) * 1_000) / count,
    client: (used.user + used.system) / count,
    server: (((await serverTicks()) - ticks) * 1e6) / CLOCK_TICKS / count,
  };
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

it('prints what a transaction costs with its round trips together and apart', async () => {
  await round('together', 1_000);
  await round('apart', 1_000);
  const results = {
    together: [] as Awaited<ReturnType<typeof round>>[],
    apart: [] as Awaited<ReturnType<typeof round>>[],
  };
  for (let i = 0; i < ROUNDS; i += 1) {
    results.apart.push(await round('apart', TRANSACTIONS));
    results.together.push(await round('together', TRANSACTIONS));
  }
  const row = (mode: 'together' | 'apart') => {
    const of = (key: 'wall' | 'client' | 'server') => median(results[mode].map((result) => result[key]));
    return { wall: of('wall'), client: of('client'), server: of('server') };
  };
  const together = row('together');
  const apart = row('apart');
  console.log(
    `\nplaceOrder-shaped transaction, µs each (median of ${ROUNDS} rounds of ${TRANSACTIONS}, ${CALLERS} callers)`,
  );
  console.log('| round trips | wall | client CPU | server CPU |\n|---|---|---|---|');
  console.log(`| apart: 5 | ${apart.wall.toFixed(0)} | ${apart.client.toFixed(0)} | ${apart.server.toFixed(0)} |`);
  console.log(
    `| together: 3 | ${together.wall.toFixed(0)} | ${together.client.toFixed(0)} | ${together.server.toFixed(0)} |`,
  );
  const ratio = (key: 'wall' | 'client' | 'server') => (together[key] / apart[key]).toFixed(2);
  console.log(`| ratio | ${ratio('wall')} | ${ratio('client')} | ${ratio('server')} |`);
  expect(Number((await orms.together.em.fork().execute('select count(*)::int as n from orders'))[0]?.n)).toBe(
    2_000 + 2 * ROUNDS * TRANSACTIONS,
  );
});
