// `npm run test:cluster`: the scale-out test (docs/operations.md, Cluster test). The topology of
// `npm run start:cluster` (scripts/lib/cluster-topology.ts) on a PostgreSQL of its own: a 3-node NATS
// JetStream cluster with streams of 3 replicas, two instances of every subgraph behind a round-robin
// balancer each, two gateways the clients alternate between. While orders arrive it SIGKILLs the
// NATS node leading the ORDERS stream and one instance each of the product and order subgraphs, and
// starts them again; then every order must end CONFIRMED or REJECTED, none lost or applied twice,
// the stock exact, every outbox row stored on the bus once, and the consumers shared by the instances.
// Exit code: 0 every invariant holds, 1 an invariant broke, 2 the test itself failed, 130 interrupted.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { authorizationConfig } from '@commerce-supergraph/test-support/nats-authorization';
import { startPostgresServer } from '@commerce-supergraph/test-support/postgres-server';
import { planCluster, startWaves } from '../../scripts/lib/cluster-topology.ts';
import { type NatsNode, startNatsCluster } from '../../scripts/lib/nats-cluster.ts';
import { checkInvariants, drainEffects, observeSettling, readSnapshotPatiently } from './checks.ts';
import { GatewayClient, startLoad, Tally } from './clients.ts';
import { Clock, seconds } from './clock.ts';
import { type ProcessEvent, ServiceProcess } from './cluster.ts';
import { type Counts, check, eventsStoredOnce, readCounts, replication } from './cluster-checks.ts';
import { readFaultConfig } from './config.ts';
import { Databases, deadLetters, streamCopies } from './inspect.ts';
import { Random } from './random.ts';
import { setUpShop } from './setup.ts';
import { ADMIN, serviceEnv } from './supergraph-env.ts';
import { Teardown } from './teardown.ts';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const NATS_BIN =
  process.env.NATS_SERVER_BIN ?? (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');
const REPLICAS = 3;
/** The fault suite's knobs (FAULT_*), with this test's defaults: 300 orders, no payments, generous deadlines. */
const DEFAULTS = {
  FAULT_ORDERS: '300',
  FAULT_RATE: '12',
  FAULT_PAY_SHARE: '0',
  FAULT_SETTLE_MS: '90000',
  FAULT_EFFECTS_MS: '60000',
  FAULT_CLIENT_DEADLINE_MS: '300000',
};

const clock = new Clock();
const say = (line: string) => console.log(`${clock.stamp()} ${line}`);
const teardown = new Teardown();
teardown.install('cluster test');

let cfg: ReturnType<typeof readFaultConfig>;
try {
  cfg = readFaultConfig({ ...DEFAULTS, ...process.env });
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
console.log(
  `cluster test: seed ${cfg.seed} (FAULT_SEED=${cfg.seed} replays the load), ${cfg.orders} orders at ${cfg.rate}/s, ` +
    `3 NATS nodes, streams of ${REPLICAS} replicas, 2 instances of every subgraph, 2 gateways`,
);
let exitCode = 2;
try {
  exitCode = await run();
} catch (error) {
  console.error(`\ncluster test error: ${(error as Error).stack ?? error}`);
  console.log(`cluster: seed=${cfg.seed} ERROR ${(error as Error).message.split('\n')[0]}`);
}
await teardown.run();
process.exit(teardown.interrupted ? 130 : exitCode);

async function run(): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'commerce-cluster-'));
  const dirs = { logs: join(root, 'logs'), reports: join(root, 'reports') };
  mkdirSync(dirs.logs);
  mkdirSync(dirs.reports);
  teardown.add('temporary directory', async () => {
    if (cfg.artifacts) {
      cpSync(root, cfg.artifacts, { recursive: true });
      console.log(`logs copied to ${cfg.artifacts}`);
    }
    rmSync(root, { recursive: true, force: true });
  });

  // Eight subgraph processes with a pool each: more connections than PostgreSQL's default allows.
  const pg = await startPostgresServer({ settings: { max_connections: '400' } });
  teardown.add(
    'PostgreSQL',
    () => pg.dispose(),
    () => {
      // SIGQUIT is PostgreSQL's immediate shutdown: the postmaster takes its backends with it.
      const pid = pg.pid();
      if (pid) process.kill(pid, 'SIGQUIT');
    },
  );
  // Every node with the committed users and permissions; the inspector reads as an operator user.
  const auth = await authorizationConfig({ operator: true });
  const nats = await startNatsCluster({
    binary: NATS_BIN,
    dir: join(root, 'nats'),
    config: auth.config,
    env: auth.env,
  });
  teardown.add(
    'NATS cluster',
    () => nats.stop(),
    () => {
      for (const node of nats.nodes) {
        const pid = node.pid();
        if (pid) process.kill(pid, 'SIGKILL');
      }
    },
  );
  await nats.waitForJetStream();
  const inspector = { url: nats.url, ...auth.operator };
  say(`PostgreSQL on port ${pg.port}; NATS cluster ${nats.url} (JetStream leader elected); logs in ${dirs.logs}`);

  const plan = await planCluster({
    repo: REPO,
    instances: 2,
    gateways: 2,
    envFor: (service) =>
      serviceEnv(service, {
        nodeEnv: cfg.nodeEnv,
        logLevel: cfg.logLevel,
        databaseUrl: pg.url,
        natsUrl: nats.url,
        credentials: auth.credentials,
        extra: { NATS_STREAM_REPLICAS: String(REPLICAS) },
      }),
  });
  teardown.add('balancers', () => plan.close());
  const processEvents: ProcessEvent[] = [];
  const processes = new Map(
    plan.instances.map((instance) => [
      instance.label,
      new ServiceProcess(
        {
          name: instance.service,
          label: instance.label,
          script: instance.script,
          port: instance.port,
          env: instance.env,
        },
        dirs,
        clock,
        (event) => processEvents.push(event),
      ),
    ]),
  );
  const all = [...processes.values()];
  const get = (label: string) => processes.get(label) as ServiceProcess;
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
  for (const wave of startWaves(plan.instances)) {
    for (const instance of wave) get(instance.label).start();
    for (const instance of wave) {
      const service = get(instance.label);
      if ((await service.waitReady(clock.now() + 120_000)) !== 'ready')
        throw new Error(`${service.label} did not start: ${service.logTail(12).join(' | ')}`);
    }
  }
  say(
    `supergraph up: ${all.map((s) => `${s.label} ${s.spec.port}`).join(', ')}; gateways ${plan.gatewayUrls.join(' ')}`,
  );

  const db = new Databases(pg.url);
  teardown.add('database connections', () => db.close());
  const tally = new Tally();
  const gateways = all
    .filter((s) => s.name === 'gateway')
    .map((s) => new GatewayClient(s.spec.port, cfg.requestTimeoutMs, tally));
  const random = new Random(cfg.seed);
  const shop = await setUpShop({
    client: gateways[0] as GatewayClient,
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
    `set up: ${shop.customers.length} customers, ${shop.products.length} products (mean demand ${Math.round(shop.meanDemand)} units each)`,
  );

  // --- load, and the kills while it runs: the ORDERS stream's leader, then product-1, then order-2 ---
  /** What each process counted in its /metrics: read before it is killed (its counts die with it) and at the end. */
  const counted = new Map<string, Counts>();
  const count = async (service: ServiceProcess) => {
    const now = await readCounts(service);
    const before = counted.get(service.label) ?? { handled: 0, stored: 0, duplicates: 0 };
    counted.set(service.label, {
      handled: before.handled + now.handled,
      stored: before.stored + now.stored,
      duplicates: before.duplicates + now.duplicates,
    });
  };
  const load = startLoad({
    cfg,
    products: shop.products,
    customers: shop.customers,
    random: random.fork('load'),
    clock,
    // Client i talks to gateway i mod 2: both gateways, and through them every instance, take orders.
    clientFor: (i) => gateways[i % gateways.length] as GatewayClient,
    stopped: () => teardown.interrupted,
  });
  const windowMs = (cfg.orders * 1000) / cfg.rate;
  const kills: string[] = [];
  const note = (line: string) => {
    kills.push(`${clock.stamp()} ${line}`);
    say(line);
  };
  const at = (share: number) => sleep(Math.max(0, load.startedAt + windowMs * share - clock.now()));
  const killNats = (async () => {
    await at(0.2);
    const leader = (await streamCopies(inspector)).get('ORDERS')?.leader;
    const node = nats.nodes.find((n) => n.name === leader) ?? (nats.nodes[1] as NatsNode);
    await node.kill();
    note(`NATS ${node.name} (leader of ORDERS: ${leader === node.name}) killed (SIGKILL)`);
    await sleep(5000);
    await node.start();
    note(`NATS ${node.name} started again (same store)`);
  })();
  const killService = async (label: string, share: number, downMs: number) => {
    await at(share);
    const service = get(label);
    await count(service);
    await service.kill('SIGKILL');
    note(`${label} killed (SIGKILL, generation ${service.generation})`);
    await sleep(downMs);
    service.start('after SIGKILL');
    note(`${label} started again (generation ${service.generation})`);
  };
  await Promise.all([killNats, killService('product-1', 0.35, 3000), killService('order-2', 0.5, 3000)]);
  // From the last restart on, every order must settle within FAULT_SETTLE_MS (or that long after
  // its client got it, when later): watched from now, while the last clients still arrive.
  const restartedAt = clock.now();
  const settling = observeSettling({
    db,
    clock,
    clients: load.records,
    readyAt: restartedAt,
    settleMs: cfg.settleMs,
    observeMs: cfg.observeMs,
    allArrived: () => load.records.length === cfg.orders || teardown.interrupted,
  });
  await load.done;
  say(`all ${load.records.length} clients started; the kills are over; waiting for every process to be ready`);

  // --- recovery, settling, the effects ---
  const recoverBy = clock.now() + 120_000;
  const notReady: string[] = [];
  for (const service of all) if ((await service.waitReady(recoverBy)) !== 'ready') notReady.push(service.label);
  await nats.waitForJetStream(30_000).catch((error: Error) => notReady.push(error.message));
  const readyAt = clock.now();
  say(notReady.length === 0 ? 'every process ready again' : `not ready: ${notReady.join(', ')}`);
  const settle = await settling;
  await Promise.all(load.runs);
  const drain = await drainEffects(db, inspector, clock, cfg.effectsMs);

  // --- the verdict ---
  const snapshot = await readSnapshotPatiently(db);
  const invariants = checkInvariants({
    snapshot,
    clients: load.records,
    customers: shop.customers,
    products: shop.products,
    settle,
    settleMs: cfg.settleMs,
    effectsMissing: drain.missing,
    effectsMs: cfg.effectsMs,
    deadLetters: await deadLetters(inspector),
    tally,
    readyViolations: [],
    readyBudgetMs: cfg.readyBudgetMs,
    wedges: [],
    wedgeMs: cfg.wedgeMs,
    clock,
    timelines: new Map(),
    waits: [],
  }).filter((check) => !['ready-answers-in-time', 'services-recover'].includes(check.name));
  const stored = await eventsStoredOnce(db, inspector);
  // What this test adds: the outcome the issue names, recovery, one copy of every event, sharing.
  // Clients pay only when FAULT_PAY_SHARE asks them to; then PAID is an outcome too.
  const outcomes = snapshot.orders.filter(
    (o) => !['CONFIRMED', 'REJECTED', ...(cfg.payShare > 0 ? ['PAID'] : [])].includes(o.status),
  );
  invariants.push(
    check(
      'confirmed-or-rejected',
      outcomes.map((o) => `order ${o.id} is ${o.status}`),
      `all ${snapshot.orders.length} orders CONFIRMED or REJECTED`,
    ),
    check(
      'processes-recover',
      notReady.map((label) => `${label} not ready 120 s after the kills`),
      'every killed process and NATS node came back by itself',
    ),
    check('events-stored-once', stored.problems, `${stored.rows} outbox rows, each on the bus exactly once`),
    check('streams-replicated', await replication(inspector, REPLICAS), `every stream has ${REPLICAS} current copies`),
  );
  const subgraphs = all.filter((s) => s.name !== 'gateway');
  for (const service of subgraphs) await count(service);
  const totals = (label: string) => counted.get(label) ?? { handled: 0, stored: 0, duplicates: 0 };
  const unshared = ['product', 'order', 'customer'].filter(
    (name) => all.filter((s) => s.name === name && totals(s.label).handled > 0).length < 2,
  );
  invariants.push(
    check(
      'consumers-shared',
      unshared.map((name) => `only one instance of ${name} handled events`),
      'both instances of product, order and customer handled events',
    ),
  );

  // --- figures ---
  const statuses = new Map<string, number>();
  for (const order of snapshot.orders) statuses.set(order.status, (statuses.get(order.status) ?? 0) + 1);
  const retries = load.records.reduce((n, r) => n + r.placeAttempts - 1, 0);
  const settleTime = settle.allSettledAt !== undefined ? seconds(settle.allSettledAt - restartedAt) : 'never';
  const afterLast = settle.allSettledAt !== undefined ? seconds(settle.allSettledAt - load.lastClientAt) : 'never';
  console.log('\nfigures:');
  console.log(
    `  orders: ${snapshot.orders.length} stored for ${load.records.length} clients; ${[...statuses].map(([s, n]) => `${s} ${n}`).join(', ')}`,
  );
  console.log(
    `  placeOrder: ${tally.attempts.get('PlaceOrder') ?? 0} attempts, ${retries} retries by ${load.records.filter((r) => r.placeAttempts > 1).length} clients`,
  );
  for (const [op, failures] of tally.failures)
    console.log(`  ${op} failed attempts: ${[...failures].map(([reason, n]) => `${n}x ${reason}`).join('; ')}`);
  console.log(`  kills:\n${kills.map((line) => `    ${line}`).join('\n')}`);
  console.log(
    `  load from ${clock.stamp(load.startedAt)} to ${clock.stamp(load.lastClientAt)}; last restart at ${clock.stamp(restartedAt)}; every process ready at ${clock.stamp(readyAt)}; ` +
      `every order settled ${settleTime} after the last restart, ${afterLast} after the last client started (slowest ${seconds(settle.slowestMs)} past its reference); effects drained in ${seconds(drain.tookMs)}`,
  );
  console.log(
    `  events handled per instance: ${subgraphs.map((s) => `${s.label} ${totals(s.label).handled}`).join(', ')}`,
  );
  const published = subgraphs.map((s) => totals(s.label));
  console.log(
    `  outbox relays (as their /metrics counted): ${published.reduce((n, c) => n + c.stored, 0)} events stored, ` +
      `${published.reduce((n, c) => n + c.duplicates, 0)} re-publishes the server dropped as duplicates; ` +
      `per instance ${subgraphs.map((s) => `${s.label} ${totals(s.label).stored}/${totals(s.label).duplicates}`).join(', ')}`,
  );
  console.log(
    `  HTTP connections per instance (balancers): ${Object.entries(plan.balancers)
      .map(([name, b]) => `${name} ${[...b.handed.values()].join('/')}`)
      .join(', ')}`,
  );
  const exits = processEvents.filter((e) => e.what.includes('on its own'));
  if (exits.length > 0)
    console.log(`  exited on their own: ${exits.map((e) => `${e.label} #${e.generation} ${e.what}`).join('; ')}`);
  console.log('\ninvariants:');
  for (const invariant of invariants) {
    console.log(`  ${invariant.ok ? 'PASS' : 'FAIL'} ${invariant.name}: ${invariant.summary}`);
    for (const detail of invariant.details) console.log(`       - ${detail}`);
  }
  const failed = invariants.filter((i) => !i.ok).map((i) => i.name);
  console.log(
    `cluster: seed=${cfg.seed} ${failed.length === 0 ? 'PASS' : 'FAIL'} orders=${snapshot.orders.length}/${cfg.orders} ` +
      `confirmed=${statuses.get('CONFIRMED') ?? 0} rejected=${statuses.get('REJECTED') ?? 0} retries=${retries} kills=3 settle=${settleTime}` +
      `${failed.length > 0 ? ` failed=${failed.join(',')}` : ''}`,
  );
  return failed.length === 0 ? 0 : 1;
}
