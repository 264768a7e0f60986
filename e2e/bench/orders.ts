// `npm run bench:orders` (docs/performance.md): placeOrder through the gateway -> CONFIRMED, with
// what each confirmed order costs every process. The whole supergraph runs from its built dist/ as
// separate processes, as the fault suite runs it, on a PostgreSQL and a NATS of the bench's own
// (removed afterwards): a steady rate below saturation, a burst for the ceiling, then an overload
// (more clients than the order subgraph admits; refused ones try again: back-pressure). Per phase it
// prints the latency and a table: CPU ms per confirmed order of the gateway, each subgraph,
// PostgreSQL and NATS; SQL statements and transactions per confirmed order of each service.
// Bounded: BENCH_ORDERS orders a phase (default 600; BENCH_BURST_ORDERS for the burst alone),
// BENCH_ORDER_RATE a second (default 60).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { watchEvents } from '@commerce-supergraph/test-support/event-watch';
import { startAuthorizedNatsServer } from '@commerce-supergraph/test-support/nats-authorization';
import { startPostgresServer } from '@commerce-supergraph/test-support/postgres-server';
import { planCluster, startWaves } from '../../scripts/lib/cluster-topology.ts';
import { Clock } from '../faults/clock.ts';
import { ServiceProcess } from '../faults/cluster.ts';
import { Databases, deadLetters } from '../faults/inspect.ts';
import { awaitSagaReady } from '../faults/setup.ts';
import { ADMIN, DB_NAME, serviceEnv } from '../faults/supergraph-env.ts';
import { Teardown } from '../faults/teardown.ts';
import { createData } from './data.ts';
import { machineLine, machineShare } from './machine.ts';
import { backgroundLine, type Costed, CostMeter, costTable, PG_STATS_SETTLE_MS, sessionsLine } from './order-costs.ts';
import {
  type Attempts,
  CONFIRMED,
  CREATED,
  confirmedCount,
  latencyReport,
  placeOne,
  REJECTED,
  RESERVED,
  runPhase,
  type Sample,
  type Settled,
  type Steps,
  steadyPace,
  waitForAll,
} from './order-load.ts';
import { TICKS_PER_SECOND } from './processes.ts';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const COUNT = Number(process.env.BENCH_ORDERS ?? 600);
/** BENCH_BURST_ORDERS: orders in the burst alone (default BENCH_ORDERS), to hold it for 30 s without a steady phase as long. */
const BURST_COUNT = Number(process.env.BENCH_BURST_ORDERS ?? COUNT);
const RATE = Number(process.env.BENCH_ORDER_RATE ?? 60);
const BURST_CONCURRENCY = 32;
/** BENCH_OVERLOAD=512: clients at once in the overload phase, each trying again when refused; 0 skips the phase. */
const OVERLOAD_CONCURRENCY = Number(process.env.BENCH_OVERLOAD ?? 512);
const SETTLE_LIMIT_MS = 120_000;
/**
 * BENCH_WARMUP=600: orders placed before anything is measured. 40 were too few: CPU profiles by the
 * second showed the order subgraph's CPU a second fall from 540 to about 250 ms over the steady
 * phase's first eight seconds at a steady rate (V8 still optimizing), and a gateway worker that had
 * served no order planning PlaceOrder in the first second.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 600);
/** BENCH_SQL_TOP=8 prints each service's 8 most run statements a phase. */
const SQL_TOP = Number(process.env.BENCH_SQL_TOP ?? 0);
/** BENCH_CPU_PROF=order,product runs those services with --cpu-prof (the whole run, setup included). */
const PROFILED = (process.env.BENCH_CPU_PROF ?? '').split(',').filter(Boolean);

const profileFlags = (service: string, logs: string): Record<string, string> =>
  PROFILED.includes(service) ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(logs, 'profiles')}` } : {};

const clock = new Clock();
const teardown = new Teardown();
teardown.install('orders bench');
let exitCode = 2;
try {
  await bench();
  exitCode = 0;
} catch (error) {
  console.error(`\norders bench failed: ${(error as Error).stack ?? error}`);
}
await teardown.run();
process.exit(teardown.interrupted ? 130 : exitCode);

async function bench(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'bench-orders-'));
  const dirs = { logs: join(root, 'logs'), reports: join(root, 'reports') };
  mkdirSync(dirs.logs);
  mkdirSync(dirs.reports);
  let keepLogs = true; // until the run succeeds: a failed run's logs are what explains it
  teardown.add('temporary directory', async () => {
    if (keepLogs) console.error(`service logs kept in ${dirs.logs}`);
    else rmSync(root, { recursive: true, force: true });
  });

  // pg_stat_statements counts every service's statements (order-costs.ts).
  const pg = await startPostgresServer({ settings: { shared_preload_libraries: "'pg_stat_statements'" } });
  teardown.add('PostgreSQL', () => pg.dispose());
  // The committed per-service users; the watcher subscribes as the operator user.
  const authorized = await startAuthorizedNatsServer({ operator: true });
  const nats = authorized.server;
  teardown.add('NATS', () => nats.dispose());

  // One process of each service, the gateway routing to each subgraph directly.
  const plan = await planCluster({
    repo: REPO,
    instances: 1,
    gateways: 1,
    direct: true,
    envFor: (service) => ({
      ...serviceEnv(service, {
        nodeEnv: 'production',
        logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
        databaseUrl: pg.url,
        natsUrl: nats.url,
        credentials: authorized.credentials,
      }),
      ...profileFlags(service, dirs.logs),
    }),
  });
  teardown.add('plan', () => plan.close());
  const services = new Map(
    plan.instances.map((i) => [
      i.service,
      new ServiceProcess({ name: i.service, script: i.script, port: i.port, env: i.env }, dirs, clock, () => undefined),
    ]),
  );
  for (const service of services.values()) teardown.hold(() => service.hold());
  teardown.add('services', async () => {
    await Promise.all([...services.values()].map((service) => service.shutdown()));
  });
  for (const wave of startWaves(plan.instances)) {
    for (const instance of wave) services.get(instance.service)?.start();
    for (const instance of wave) {
      const service = services.get(instance.service) as ServiceProcess;
      if ((await service.waitReady(clock.now() + 120_000)) !== 'ready')
        throw new Error(`${service.label} did not start: ${service.logTail(12).join(' | ')}`);
    }
  }
  const gatewayUrl = plan.gatewayUrls[0] as string;

  const db = new Databases(pg.url);
  teardown.add('database connections', () => db.close());
  const costed: Costed[] = [
    ...(['gateway', 'customer', 'product', 'order', 'credit-status'] as const).map((name) => ({
      name,
      pid: () => services.get(name)?.pid,
      database: name === 'gateway' ? undefined : DB_NAME[name],
    })),
    { name: 'PostgreSQL', pid: () => pg.pid() },
    { name: 'NATS', pid: () => nats.pid() },
  ];
  const meter = new CostMeter(db, costed);
  await meter.prepare();

  // Eight shoppers place every order and pay none (the open-order cap is lifted by serviceEnv).
  const data = await createData(gatewayUrl, ADMIN, { customers: 8, products: 8, ordersEach: 0 });
  const inspector = { url: nats.url, ...authorized.operator };
  await awaitSagaReady({ db, inspector, products: data.productIds.length, aborted: () => teardown.interrupted });
  const settled: Settled = new Map();
  const steps: Steps = new Map();
  const watch = watchEvents(
    nats.url,
    [CREATED, RESERVED, CONFIRMED, REJECTED],
    (event) => {
      const { orderId } = event.data as { orderId: string };
      const at = performance.now();
      if (event.type === CREATED || event.type === RESERVED) {
        const step = steps.get(orderId) ?? {};
        steps.set(orderId, event.type === CREATED ? { ...step, created: at } : { ...step, reserved: at });
      } else settled.set(orderId, { at, type: event.type });
    },
    authorized.operator,
  );
  teardown.add('event watch', () => watch.close());
  await watch.ready;
  let attempts: Attempts = { answersMs: [], refused: 0 };
  const place = (i: number) =>
    placeOne(
      gatewayUrl,
      data.tokens[i % data.tokens.length] as string,
      data.productIds[i % data.productIds.length] as string,
      attempts,
    );

  // Warm-up: connections, query plans and JIT, so the first measured orders are not the slow ones
  // (as many in flight as the burst: more connections, so each gateway worker likely takes some);
  // then quiet until PostgreSQL has counted the warm-up's transactions, and a window with no orders.
  await phase(runPhase(WARMUP, undefined, place, BURST_CONCURRENCY), settled);
  await sleep(PG_STATS_SETTLE_MS);
  const idle = await meter.begin();
  const quiet = meter.mark();
  await sleep(PG_STATS_SETTLE_MS);
  const quietShare = machineShare(quiet, meter.mark(), TICKS_PER_SECOND);
  const background = await meter.end(idle);

  console.log(
    `\norders bench (${COUNT} orders a phase${BURST_COUNT === COUNT ? '' : `, ${BURST_COUNT} in the burst`}; gateway + 4 subgraphs + PostgreSQL + NATS as processes on this machine, ` +
      `production mode, log level ${process.env.BENCH_LOG_LEVEL ?? 'info'})`,
  );
  console.log(backgroundLine(background));
  console.log(sessionsLine(background));
  console.log(machineLine(quietShare, availableParallelism(), 'meanwhile'));
  for (const [label, placeAll] of [
    [`steady ${RATE}/s offered`, () => runPhase(COUNT, steadyPace(RATE), place)],
    [`burst, ${BURST_CONCURRENCY} in flight`, () => runPhase(BURST_COUNT, undefined, place, BURST_CONCURRENCY)],
    // More clients at once than the order subgraph admits: back-pressure answers the rest at once.
    [`overload, ${OVERLOAD_CONCURRENCY} in flight`, () => runPhase(COUNT, undefined, place, OVERLOAD_CONCURRENCY)],
  ] as const) {
    if (label.startsWith('overload') && OVERLOAD_CONCURRENCY === 0) continue;
    attempts = { answersMs: [], refused: 0 };
    const window = await meter.begin();
    // A CPU profile's timestamps are this monotonic clock's, in µs: where the phase starts in them.
    if (PROFILED.length > 0)
      console.log(`${label}: starts at ${process.hrtime.bigint() / 1000n} µs (the CPU profiles' clock)`);
    const placing = meter.mark();
    const done = await phase(placeAll(), settled);
    const share = machineShare(placing, meter.mark(), TICKS_PER_SECOND);
    await sleep(PG_STATS_SETTLE_MS);
    const cost = await meter.end(window);
    const confirmed = confirmedCount(done, settled);
    console.log(`\n${latencyReport(label, done, settled, attempts, steps).join('\n')}`);
    console.log(
      `  cost per confirmed order (${confirmed} confirmed; window ${(cost.ms / 1000).toFixed(1)} s: the phase and ${PG_STATS_SETTLE_MS / 1000} s for PostgreSQL's statistics):`,
    );
    console.log(costTable(cost, confirmed).join('\n'));
    console.log(sessionsLine(cost));
    console.log(
      `  the bench's own process (clients, watcher; not in the total): ${(cost.benchCpuMs / Math.max(confirmed, 1)).toFixed(2)} CPU ms/order`,
    );
    console.log(machineLine(share, availableParallelism(), 'while the orders ran, until the last settled'));
    if (SQL_TOP > 0)
      console.log(`  most run statements:\n${(await meter.topStatements(SQL_TOP, confirmed)).join('\n')}`);
  }
  // Back-pressure must not cost the saga: every order settled above, and nothing dead-lettered.
  console.log(`\ndead letters after all phases: ${(await deadLetters(inspector)).length}`);
  // A profiled run keeps its logs: the profiles are in them, written as the services stop.
  keepLogs = PROFILED.length > 0;
  if (keepLogs)
    console.log(`\nCPU profiles of ${PROFILED.join(', ')} go to ${join(dirs.logs, 'profiles')} as the services stop`);
}

/** A phase's orders, all settled (confirmed or rejected) as the watcher saw them. */
async function phase(placing: Promise<Sample[]>, settled: Settled): Promise<Sample[]> {
  const samples = await placing;
  await waitForAll(samples, settled, SETTLE_LIMIT_MS);
  return samples;
}
