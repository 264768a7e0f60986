// `npm run test:faults`: the fault suite (docs/operations.md, Fault suite). It runs the whole
// supergraph as separate processes on a PostgreSQL and a NATS of its own, places orders with
// retrying clients while it kills NATS and subgraphs and crashes PostgreSQL, then checks that no
// order was lost, duplicated or left PENDING and that every effect happened exactly once.
// Exit code: 0 every invariant holds, 1 an invariant broke, 2 the suite itself failed, 130 interrupted.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startAuthorizedNatsServer } from '@commerce-supergraph/test-support/nats-authorization';
import type { TestNatsServer } from '@commerce-supergraph/test-support/nats-server';
import {
  postgresBinDir,
  startPostgresServer,
  type TestPostgresServer,
} from '@commerce-supergraph/test-support/postgres-server';
import { distinctPorts } from '../../scripts/lib/processes.ts';
import {
  checkInvariants,
  drainEffects,
  type Invariant,
  latestOrders,
  observeSettling,
  readSnapshotPatiently,
  type SagaTrace,
  type SettleObservation,
  sagaTimeline,
  summarizeWaits,
} from './checks.ts';
import { type ClientRecord, GatewayClient, startLoad, Tally } from './clients.ts';
import { Clock, seconds } from './clock.ts';
import {
  type ProcessEvent,
  type ReadyAnswer,
  reportFacts,
  type ServiceName,
  ServiceProcess,
  SUBGRAPHS,
  summarizeLogLine,
} from './cluster.ts';
import { type FaultConfig, readFaultConfig } from './config.ts';
import { Databases, deadLetters, type NatsTarget } from './inspect.ts';
import { Random } from './random.ts';
import { awaitAllReady, ReadinessMonitor, type Wedge } from './readiness.ts';
import { describeFault, Infrastructure, type InjectedFault, injectFaults, planFaults } from './schedule.ts';
import { setUpShop } from './setup.ts';
import { ADMIN, serviceEnv } from './supergraph-env.ts';
import { Teardown } from './teardown.ts';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/**
 * How late the runner's own thread ran: it drives every client, so a busy moment here delays
 * requests and reading their answers (but not the /ready timings: ready-prober.ts).
 */
const runnerDelay = monitorEventLoopDelay({ resolution: 20 });
runnerDelay.enable();

const clock = new Clock();
const say = (line: string) => console.log(`${clock.stamp()} ${line}`);

// --- clean-up: every process and directory, on success, failure, Ctrl-C or a crash of the suite ---
const teardown = new Teardown();
teardown.install('fault suite');

// --- the run ---
let config: FaultConfig;
try {
  config = readFaultConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const random = new Random(config.seed);
console.log(
  `fault suite: seed ${config.seed} (FAULT_SEED=${config.seed} reproduces the schedule), ${config.orders} orders at ${config.rate}/s, ` +
    `${config.customers} customers, ${config.products} products, pay share ${config.payShare}, ${config.rounds} round(s) of faults`,
);

let exitCode = 2;
try {
  exitCode = await run(config);
} catch (error) {
  console.error(`\nfault suite error: ${(error as Error).stack ?? error}`);
  console.log(`faults: seed=${config.seed} ERROR ${(error as Error).message.split('\n')[0]}`);
  exitCode = 2;
}
await teardown.run();
process.exit(teardown.interrupted ? 130 : exitCode);

async function run(cfg: FaultConfig): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'commerce-faults-'));
  const dirs = { logs: join(root, 'logs'), reports: join(root, 'reports') };
  mkdirSync(dirs.logs);
  mkdirSync(dirs.reports);
  teardown.add(
    'temporary directory',
    async () => {
      if (cfg.artifacts) copyArtifacts(root, cfg.artifacts);
      rmSync(root, { recursive: true, force: true });
    },
    () => rmSync(root, { recursive: true, force: true }),
  );

  // PostgreSQL and NATS of the suite's own, on free ports: the machine's servers are never touched.
  const pg: TestPostgresServer = await startPostgresServer();
  teardown.add(
    'PostgreSQL',
    () => pg.dispose(),
    () => {
      // SIGQUIT is PostgreSQL's immediate shutdown: the postmaster takes its backends with it.
      const pid = pg.pid();
      if (pid) process.kill(pid, 'SIGQUIT');
      rmSync(join(pg.dataDir, '..'), { recursive: true, force: true });
    },
  );
  // NATS as production runs it: the committed per-service users and permissions, so a service that
  // needs a permission it lacks fails here too. The inspector reads everything as an operator user.
  const authorized = await startAuthorizedNatsServer({ operator: true });
  const nats: TestNatsServer = authorized.server;
  const inspector: NatsTarget = { url: nats.url, ...authorized.operator };
  teardown.add(
    'NATS',
    () => nats.dispose(),
    () => {
      const pid = nats.pid();
      if (pid) process.kill(pid, 'SIGKILL');
    },
  );
  say(
    `PostgreSQL ${postgresBinDir()} on port ${pg.port} (pid ${pg.pid()}), NATS on port ${nats.port} (pid ${nats.pid()}), logs in ${dirs.logs}`,
  );

  // The supergraph: four subgraphs and the gateway, each a process from its built dist/.
  // One at a time and never one twice: each pick releases the port it found (distinctPorts).
  const pick = distinctPorts();
  const ports = {} as Record<ServiceName, number>;
  for (const name of ['gateway', ...SUBGRAPHS] as ServiceName[]) ports[name] = await pick(0);
  const processEvents: ProcessEvent[] = [];
  const context = {
    nodeEnv: cfg.nodeEnv,
    logLevel: cfg.logLevel,
    databaseUrl: pg.url,
    natsUrl: nats.url,
    credentials: authorized.credentials,
  };
  const subgraph = (name: Exclude<ServiceName, 'gateway'>) => ({
    script: `subgraphs/${name}/dist/index.js`,
    env: { ...serviceEnv(name, context), [`${name.toUpperCase().replaceAll('-', '_')}_PORT`]: String(ports[name]) },
  });
  const url = (name: ServiceName) => `http://127.0.0.1:${ports[name]}/graphql`;
  const specs = {
    customer: subgraph('customer'),
    product: subgraph('product'),
    order: subgraph('order'),
    'credit-status': subgraph('credit-status'),
    gateway: {
      script: 'gateway/dist/index.js',
      // Token revocations come from this supergraph's NATS, as the subgraphs' events do.
      env: {
        ...serviceEnv('gateway', context),
        GATEWAY_PORT: String(ports.gateway),
        CUSTOMER_URL: url('customer'),
        ORDER_URL: url('order'),
        PRODUCT_URL: url('product'),
        CREDIT_STATUS_URL: url('credit-status'),
      },
    },
  } satisfies Record<ServiceName, { script: string; env: Record<string, string> }>;
  const services = Object.fromEntries(
    (Object.keys(specs) as ServiceName[]).map((name) => [
      name,
      new ServiceProcess(
        { name, script: join(REPO, specs[name].script), port: ports[name], env: specs[name].env },
        dirs,
        clock,
        (event) => processEvents.push(event),
      ),
    ]),
  ) as Record<ServiceName, ServiceProcess>;
  const all = [...SUBGRAPHS.map((name) => services[name]), services.gateway];
  for (const service of all) teardown.hold(() => service.hold());
  teardown.add(
    'services',
    async () => {
      await Promise.all(all.map((service) => service.shutdown()));
    },
    () => {
      for (const service of all) if (service.pid && service.alive()) process.kill(service.pid, 'SIGKILL');
    },
  );

  // Start in an order that lets most consumers find their streams at once: order and customer
  // own the streams the others read.
  const boot = async (names: ServiceName[]) => {
    for (const name of names) services[name].start();
    for (const name of names) {
      const outcome = await services[name].waitReady(clock.now() + 90_000);
      if (outcome !== 'ready') throw new Error(`${name} did not start: ${services[name].logTail(12).join(' | ')}`);
    }
  };
  await boot(['order', 'customer']);
  await boot(['product', 'credit-status']);
  await boot(['gateway']);
  say(`supergraph up: gateway ${ports.gateway}, ${SUBGRAPHS.map((name) => `${name} ${ports[name]}`).join(', ')}`);

  const db = new Databases(pg.url);
  teardown.add(
    'database connections',
    () => db.close(),
    () => undefined,
  );
  const tally = new Tally();
  const client = new GatewayClient(ports.gateway, cfg.requestTimeoutMs, tally);

  // --- set-up through the gateway: products with a stock that runs out for some, customers ---
  const { products, customers, meanDemand } = await setUpShop({
    client,
    db,
    inspector,
    random: random.fork('setup'),
    admin: ADMIN,
    seed: cfg.seed,
    orders: cfg.orders,
    products: cfg.products,
    customers: cfg.customers,
    aborted: () => teardown.interrupted,
  });
  say(
    `set up: ${customers.length} customers; stock ${products.map((p) => `${p.name.replace('Fault item ', '#')}=${p.initialStock}`).join(' ')} (mean demand ${Math.round(meanDemand)} each)`,
  );

  // --- load and faults together ---
  const monitor = new ReadinessMonitor(
    all,
    clock,
    cfg.readyBudgetMs,
    cfg.readyPollMs,
    Math.max(10_000, cfg.readyBudgetMs * 5),
  );
  monitor.start();
  teardown.add(
    'readiness polling',
    () => monitor.stop(),
    () => undefined,
  );
  const infra = new Infrastructure(pg, nats);
  const loadWindowMs = (cfg.orders * 1000) / cfg.rate;
  const { faults: plan, scale } = planFaults(random.fork('faults'), cfg.rounds, loadWindowMs);
  say(
    `fault plan${scale < 1 ? ` (times x${scale.toFixed(2)} to fit the ${seconds(loadWindowMs)} of arriving orders)` : ''}: ${plan.map((fault) => `[after ${fault.gapMs} ms: ${describeFault(fault)}]`).join(' ')}`,
  );

  const loadStart = clock.now();
  let clientsStopped = false;
  const load = startLoad({
    cfg,
    products,
    customers,
    random: random.fork('load'),
    clock,
    clientFor: () => client,
    stopped: () => teardown.interrupted || clientsStopped,
  });
  const { records, runs: clientRuns } = load;
  const injected: InjectedFault[] = await injectFaults(
    plan,
    infra,
    services,
    clock,
    () => teardown.interrupted,
    (line) => console.log(`  fault ${line}`),
  );
  const lastFaultAt = Math.max(loadStart, ...injected.map((f) => f.restartedAt ?? f.startedAt));
  await load.done;
  say(
    `all ${records.length} clients started, the last ${seconds(load.lastClientAt - loadStart)} after the first; faults done; waiting for every service to be ready`,
  );

  // --- recovery: every service ready again; a wedged one is diagnosed, then rescued ---
  const wedges: Wedge[] = [];
  const { readyAt, notReady } = await awaitAllReady({
    services: all,
    clock,
    since: lastFaultAt,
    infraUpSince: () => infra.upSince(),
    wedgeMs: cfg.wedgeMs,
    giveUpAfterMs: cfg.wedgeMs * 3 + 60_000,
    diagnose: (service, last) =>
      diagnose(service, last, { pg, db, ports: { ...portsByName(ports), PostgreSQL: pg.port, NATS: nats.port } }),
    onWedge: (wedge) => {
      wedges.push(wedge);
      say(`NOT RECOVERED: ${wedge.service} (generation ${wedge.generation}, pid ${wedge.pid}): ${wedge.facts[0]}`);
      for (const fact of wedge.facts.slice(1)) console.log(`    ${fact}`);
    },
  });
  say(
    notReady.length === 0
      ? `every service ready (last fault action at ${clock.stamp(lastFaultAt)}); every order must be settled by ${clock.stamp(readyAt + cfg.settleMs)}`
      : `gave up waiting: ${notReady.join(', ')} not ready; checking what there is`,
  );

  // --- settling, then the clients' payments and the effects they cause ---
  const settle: SettleObservation = await observeSettling({
    db,
    clock,
    clients: records,
    readyAt,
    settleMs: cfg.settleMs,
    observeMs: cfg.observeMs,
  });
  say(
    settle.allSettledAt !== undefined
      ? `every order settled ${seconds(settle.allSettledAt - readyAt)} after the last service was ready`
      : `${settle.late.filter((l) => l.settledAt === undefined).length} orders still unsettled ${seconds(clock.now() - readyAt)} after the last service was ready`,
  );
  // With a service left wedged, clients still waiting on it would only wait out their deadline.
  if (notReady.length > 0) clientsStopped = true;
  await Promise.all(clientRuns);
  const clientsDoneAt = clock.now();
  const drain = await drainEffects(db, inspector, clock, cfg.effectsMs);
  say(
    drain.missing.length === 0
      ? `effects complete ${seconds(drain.tookMs)} after the clients finished`
      : `effects still missing: ${drain.missing.join('; ')}`,
  );
  await monitor.stop();

  // --- the verdict ---
  const snapshot = await readSnapshotPatiently(db);
  const letters = await deadLetters(inspector);
  // Where the late orders waited: every one's saga traced (up to 200), the four latest printed in full.
  const timelines = new Map<string, string>();
  const traces: SagaTrace[] = [];
  for (const [i, orderId] of latestOrders(settle, 200).entries()) {
    const trace = await sagaTimeline(db, clock, orderId).catch(
      (error: Error): SagaTrace => ({ text: `unreadable: ${error.message}`, stages: [] }),
    );
    traces.push(trace);
    if (i < 4) timelines.set(orderId, trace.text);
  }
  const invariants = checkInvariants({
    snapshot,
    clients: records,
    customers,
    products,
    settle,
    settleMs: cfg.settleMs,
    effectsMissing: drain.missing,
    effectsMs: cfg.effectsMs,
    deadLetters: letters,
    tally,
    readyViolations: monitor.violations,
    readyBudgetMs: cfg.readyBudgetMs,
    wedges,
    wedgeMs: cfg.wedgeMs,
    clock,
    timelines,
    waits: summarizeWaits(traces),
  });
  printFigures({
    cfg,
    records,
    tally,
    injected,
    processEvents,
    monitor,
    settle,
    readyAt,
    loadStart,
    clientsDoneAt,
    drainMs: drain.tookMs,
    snapshot,
    gatewayLog: services.gateway.logFile,
    logs: all.map((s) => s.logFile),
  });
  const failed = printInvariants(invariants);
  const maxReady = Math.max(...[...monitor.figures.values()].map((f) => f.maxMs));
  const retries = records.reduce((n, r) => n + r.placeAttempts - 1 + Math.max(0, r.payAttempts - 1), 0);
  console.log(
    `faults: seed=${cfg.seed} ${failed.length === 0 ? 'PASS' : 'FAIL'} orders=${snapshot.orders.length}/${cfg.orders} retries=${retries} ` +
      `faults=${injected.length} settle=${settle.allSettledAt !== undefined ? seconds(settle.allSettledAt - readyAt) : 'never'} ` +
      `maxReady=${maxReady}ms wedges=${wedges.length}${failed.length > 0 ? ` failed=${failed.join(',')}` : ''}`,
  );
  return failed.length === 0 ? 0 : 1;
}

function portsByName(ports: Record<ServiceName, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(ports).map(([name, port]) => [`the ${name}`, port]));
}

/** What a wedged service looks like from outside and inside: /ready, its connections, a Node report, its log. */
async function diagnose(
  service: ServiceProcess,
  last: ReadyAnswer,
  context: { pg: TestPostgresServer; db: Databases; ports: Record<string, number> },
): Promise<Wedge> {
  const facts: string[] = [];
  const since = clock.now() - service.spawnedAt;
  let verdict = !service.alive()
    ? 'down: the process is not running'
    : last.outcome === 'refused'
      ? 'not listening: its start-up has not finished'
      : 'no /ready answer';
  facts.push(
    `not ready ${seconds(since)} after it was started: /ready ${last.outcome}${last.status ? ` HTTP ${last.status} ${last.body?.slice(0, 200)}` : ''}${last.error ? ` (${last.error})` : ''} after ${last.ms} ms; process ${service.alive() ? 'alive' : 'not running'}`,
  );
  facts.push(`PostgreSQL is ${await context.pg.state()}`);
  const dbName = service.spec.env[`${service.name.toUpperCase().replace('-', '_')}_DB_NAME`];
  if (dbName) {
    // Stuck or swamped? A stuck service commits nothing; a swamped one commits but /ready waits its turn.
    const commits = async () =>
      Number(
        (
          await context.db.query<{ n: string }>(
            'postgres',
            'select xact_commit::text as n from pg_stat_database where datname = ?',
            [dbName],
          )
        )[0]?.n ?? 0,
      );
    try {
      const before = await commits();
      await sleep(2000);
      const made = (await commits()) - before;
      facts.push(`${dbName} committed ${made} transactions in 2 s`);
      if (service.alive() && last.outcome !== 'refused') {
        verdict =
          made === 0
            ? `stuck: ${dbName} committed nothing in 2 s`
            : `swamped: ${dbName} committed ${made} transactions in 2 s, yet /ready got no answer (its check waits behind the work)`;
      }
    } catch (error) {
      facts.push(`pg_stat_database unreadable: ${(error as Error).message}`);
    }
    try {
      const rows = await context.db.query<{
        pid: number;
        state: string | null;
        wait: string | null;
        xact_ms: number | null;
        state_ms: number | null;
        blocked_by: string;
        query: string | null;
      }>(
        'postgres',
        `select pid, state, wait_event_type || ':' || wait_event as wait,
                (extract(epoch from now() - xact_start) * 1000)::int as xact_ms,
                (extract(epoch from now() - state_change) * 1000)::int as state_ms,
                array_to_string(pg_blocking_pids(pid), ',') as blocked_by, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 90) as query
           from pg_stat_activity where datname = ? order by xact_start nulls last`,
        [dbName],
      );
      const states = new Map<string, number>();
      for (const row of rows) states.set(row.state ?? 'no state', (states.get(row.state ?? 'no state') ?? 0) + 1);
      const connections = `${rows.length} connections in pg_stat_activity${rows.length ? ` (${[...states].map(([state, n]) => `${n} ${state}`).join(', ')})` : ''}`;
      facts.push(`${dbName} has ${connections}`);
      verdict += `; ${connections}`;
      for (const row of rows.filter((r) => r.state !== 'idle')) {
        facts.push(
          `  pg pid ${row.pid} ${row.state}${row.wait ? ` waiting ${row.wait}` : ''}${row.blocked_by ? ` blocked by ${row.blocked_by}` : ''}, transaction ${row.xact_ms ?? '-'} ms, in this state ${row.state_ms ?? '-'} ms: ${row.query ?? ''}`,
        );
      }
    } catch (error) {
      facts.push(`pg_stat_activity unreadable: ${(error as Error).message}`);
    }
  }
  const report = await service.diagnosticReport();
  if (report) {
    facts.push(...reportFacts(report, context.ports, service.spec.port));
    const inbound = (report.libuv ?? []).filter(
      (h) => h.type === 'tcp' && h.remoteEndpoint?.port && h.localEndpoint?.port === service.spec.port,
    ).length;
    verdict += `; ${inbound} inbound HTTP connections open`;
  } else facts.push('no diagnostic report (the process did not write one within 5 s)');
  const tail = service.logTail(6);
  if (tail.length > 0) facts.push(`log (warnings and errors of this generation): ${tail.join(' | ')}`);
  return {
    service: service.name,
    at: clock.now(),
    generation: service.generation,
    pid: service.pid,
    facts: [verdict, ...facts],
  };
}

function printInvariants(invariants: Invariant[]): string[] {
  console.log('\ninvariants:');
  for (const check of invariants) {
    console.log(`  ${check.ok ? 'PASS' : 'FAIL'} ${check.name}: ${check.summary}`);
    for (const detail of check.details) console.log(`       - ${detail}`);
  }
  return invariants.filter((check) => !check.ok).map((check) => check.name);
}

function printFigures(f: {
  cfg: FaultConfig;
  records: ClientRecord[];
  tally: Tally;
  injected: InjectedFault[];
  processEvents: ProcessEvent[];
  monitor: ReadinessMonitor;
  settle: SettleObservation;
  readyAt: number;
  loadStart: number;
  clientsDoneAt: number;
  drainMs: number;
  snapshot: Awaited<ReturnType<typeof readSnapshotPatiently>>;
  gatewayLog: string;
  logs: string[];
}): void {
  const { records, tally } = f;
  console.log('\nfigures:');
  const statuses = new Map<string, number>();
  for (const order of f.snapshot.orders) statuses.set(order.status, (statuses.get(order.status) ?? 0) + 1);
  console.log(
    `  seed ${f.cfg.seed}; load from ${clock.stamp(f.loadStart)}, clients done at ${clock.stamp(f.clientsDoneAt)}`,
  );
  console.log(
    `  orders: ${f.snapshot.orders.length} stored for ${records.length} clients; ${[...statuses].map(([s, n]) => `${s} ${n}`).join(', ')}`,
  );
  const retried = records.filter((r) => r.placeAttempts > 1);
  console.log(
    `  placeOrder: ${tally.attempts.get('PlaceOrder') ?? 0} attempts, ${retried.length} clients retried (most attempts by one: ${Math.max(0, ...records.map((r) => r.placeAttempts))}), ${records.filter((r) => !r.orderId).length} gave up without an order`,
  );
  for (const op of ['PlaceOrder', 'Order', 'Order (status with errors)', 'PayOrder']) {
    const failures = [...(tally.failures.get(op) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]);
    if (failures.length > 0)
      console.log(`  ${op} failed attempts: ${failures.map(([reason, n]) => `${n}x ${reason}`).join('; ')}`);
  }
  const payers = records.filter((r) => r.paymentId);
  console.log(
    `  payments: ${payers.length} clients paid (${tally.attempts.get('PayOrder') ?? 0} attempts), ${f.snapshot.payments.length} payment rows; ${tally.attempts.get('Order') ?? 0} status polls; ${records.filter((r) => r.orderId && r.gaveUp).length} clients gave up polling or paying`,
  );
  const timeouts = [...tally.timeouts].map(([op, n]) => `${op} ${n}`).join(', ');
  if (timeouts)
    console.log(`  client requests abandoned after ${f.cfg.requestTimeoutMs} ms without an answer: ${timeouts}`);
  console.log('  faults injected:');
  for (const fault of f.injected) {
    console.log(`    ${clock.stamp(fault.startedAt)} ${describeFault(fault.fault)}`);
    for (const step of fault.steps) console.log(`        ${step}`);
  }
  const unexpected = f.processEvents.filter(
    (e) => e.what.includes('on its own') || e.what.includes('restart after exit'),
  );
  if (unexpected.length > 0) {
    console.log('  processes that exited on their own (restarted like an orchestrator would):');
    for (const event of unexpected)
      console.log(`    ${clock.stamp(event.at)} ${event.service} #${event.generation} ${event.what}`);
  }
  console.log('  time to ready after each start:');
  for (const [service, figures] of f.monitor.figures) {
    const starts = f.processEvents.filter(
      (e) => e.service === service && e.what.startsWith('spawned') && e.generation > 1,
    );
    if (starts.length === 0) continue;
    const times = starts.map((start) => {
      const ready = figures.firstReady.get(start.generation);
      return `#${start.generation} ${ready === undefined ? 'never ready' : seconds(ready - start.at)}`;
    });
    console.log(`    ${service}: ${times.join(', ')}`);
  }
  console.log(
    `  last service ready at ${clock.stamp(f.readyAt)}; settle time ${f.settle.allSettledAt !== undefined ? seconds(f.settle.allSettledAt - f.readyAt) : 'never'}; slowest order ${seconds(f.settle.slowestMs)} past its reference; effects drained in ${seconds(f.drainMs)}`,
  );
  console.log(
    `  /ready: ${[...f.monitor.figures].map(([service, fig]) => `${service} max ${fig.maxMs} ms (${fig.answered}/${fig.polls} answered)`).join(', ')}`,
  );
  console.log(
    `  runner's event loop: max ${Math.round(runnerDelay.max / 1e6)} ms late, p99 ${Math.round(runnerDelay.percentile(99) / 1e6)} ms`,
  );
  const hangUps = f.logs
    .map((file) => [file.split('/').pop(), countMatches(file, /socket hang up/gi)] as const)
    .filter(([, n]) => n > 0);
  console.log(
    `  "socket hang up" in service logs: ${hangUps.length ? hangUps.map(([file, n]) => `${file} ${n}`).join(', ') : 'none'}`,
  );
  const gatewayErrors = gatewayErrorMessages(f.gatewayLog);
  if (gatewayErrors.length > 0) console.log(`  gateway errors logged: ${gatewayErrors.join('; ')}`);
}

function countMatches(file: string, pattern: RegExp): number {
  try {
    return readFileSync(file, 'utf8').match(pattern)?.length ?? 0;
  } catch {
    return 0;
  }
}

/** The gateway's error lines, grouped by message. */
function gatewayErrorMessages(file: string): string[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!/"level":(5|6)\d/.test(line)) continue;
    const summary = summarizeLogLine(line).slice(0, 160);
    counts.set(summary, (counts.get(summary) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([message, n]) => `${n}x ${message}`);
}

function copyArtifacts(root: string, target: string): void {
  try {
    mkdirSync(target, { recursive: true });
    cpSync(root, target, { recursive: true });
    console.log(`logs and diagnostic reports copied to ${target}`);
  } catch (error) {
    console.error(`could not copy the artifacts to ${target}: ${(error as Error).message}`);
  }
}
