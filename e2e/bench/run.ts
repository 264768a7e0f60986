// `npm run bench:gateway` (docs/performance.md): the whole supergraph in production mode as separate
// processes from their built dist/ (a NATS of its own, databases of its own on DATABASE_URL's
// PostgreSQL, removed afterwards), with our gateway and a stock @apollo/gateway side by side in
// front of the same subgraphs. For each scenario and each gateway: a warm-up, then autocannon, and
// the CPU each process used (read from /proc), per answered request.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { natsEnv, startAuthorizedNatsServer } from '@commerce-supergraph/test-support/nats-authorization';
import { MikroORM } from '@mikro-orm/postgresql';
import { distinctPorts } from '../../scripts/lib/processes.ts';
import { operation } from '../support/operations.ts';
import { createData } from './data.ts';
import {
  check,
  type LoadSettings,
  type Measurement,
  measure,
  prewarm,
  ratios,
  type Scenario,
  type Target,
  table,
} from './load.ts';
import { type BenchProcess, freePort, startProcess, stopProcess, waitReady } from './processes.ts';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const settings = {
  connections: number('BENCH_CONNECTIONS', 20),
  durationSeconds: number('BENCH_DURATION_S', 10),
  warmupSeconds: number('BENCH_WARMUP_S', 4),
  prewarmSeconds: number('BENCH_PREWARM_S', 15),
  customers: number('BENCH_CUSTOMERS', 40),
};
const SUBGRAPHS = ['customer', 'product', 'order', 'credit-status'] as const;
const variable = (name: string) => name.toUpperCase().replaceAll('-', '_');

// Production refuses published or weak secrets: each run makes its own, as an operator would.
const key = generateKeyPairSync('ed25519');
const admin = { email: 'admin@bench.example.com', password: randomBytes(24).toString('base64') };
const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
const databases = Object.fromEntries(
  SUBGRAPHS.map((name) => [name, `bench_${variable(name).toLowerCase()}_${suffix}`]),
);
const logDir = mkdtempSync(join(tmpdir(), 'bench-gateway-'));
const common = {
  NODE_ENV: 'production',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  GATEWAY_SECRET: randomBytes(32).toString('base64'),
  JWT_PUBLIC_KEYS: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  DATABASE_URL,
};

// NATS as production runs it: the committed per-service users, each service connecting as its own.
const authorized = await startAuthorizedNatsServer();
const nats = authorized.server;
const services: BenchProcess[] = [];
try {
  // One at a time and never one twice: each pick releases the port it found (distinctPorts).
  const pick = distinctPorts();
  const ports: Record<string, number> = {};
  for (const name of [...SUBGRAPHS, 'gateway', 'stock']) ports[name] = await pick(0);
  const urls = Object.fromEntries(
    SUBGRAPHS.map((name) => [`${variable(name)}_URL`, `http://127.0.0.1:${ports[name]}/graphql`]),
  );
  const extra: Record<string, Record<string, string>> = {
    customer: {
      JWT_PRIVATE_KEY: key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      NATIONAL_ID_KEY: randomBytes(32).toString('base64'),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      REGISTRATION_MAX_PER_CLIENT: '100000',
    },
    product: { PRODUCT_SEED_DEMO_CATALOG: 'false' },
    order: { PAYMENT_PROVIDER: 'simulated', ORDER_MAX_OPEN_ORDERS: '100000' },
  };
  // Order and customer own the streams the others read: they start first.
  for (const group of [
    ['order', 'customer'],
    ['product', 'credit-status'],
  ] as const) {
    const started = group.map((name) => {
      const env = {
        ...common,
        NATS_URL: nats.url,
        ...natsEnv(authorized.credentials[name]),
        [`${variable(name)}_PORT`]: String(ports[name]),
        [`${variable(name)}_DB_NAME`]: databases[name] as string,
        ...extra[name],
      };
      const service = startProcess(name, join(REPO, `subgraphs/${name}/dist/index.js`), env, logDir);
      services.push(service);
      return waitReady(service, `http://127.0.0.1:${ports[name]}/ready`);
    });
    await Promise.all(started);
  }
  const gateway = (name: string, port: number, workers: string) =>
    startProcess(
      name,
      join(REPO, 'gateway/dist/index.js'),
      {
        ...common,
        ...urls,
        NATS_URL: nats.url,
        ...natsEnv(authorized.credentials.gateway),
        GATEWAY_PORT: String(port),
        GATEWAY_WORKERS: workers,
      },
      logDir,
    );
  // One process against the stock gateway's one, unless a run asks for more.
  const ours = gateway('gateway', ports.gateway as number, process.env.GATEWAY_WORKERS ?? '1');
  const stock = startProcess(
    'stock',
    join(REPO, 'e2e/bench/stock-gateway.ts'),
    { ...common, ...urls, STOCK_GATEWAY_PORT: String(ports.stock), SUPERGRAPH_PATH: join(REPO, 'supergraph.graphql') },
    logDir,
  );
  services.push(ours, stock);
  await waitReady(ours, `http://127.0.0.1:${ports.gateway}/ready`);
  // Apollo Server has no health route of its own any more: ready once it answers a query.
  await waitReady(stock, `http://127.0.0.1:${ports.stock}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"query":"{ __typename }"}',
  });

  const gatewayUrl = `http://127.0.0.1:${ports.gateway}/graphql`;
  console.log(`setting up ${settings.customers} customers with orders (logs in ${logDir})`);
  const data = await createData(gatewayUrl, admin, { customers: settings.customers, products: 20, ordersEach: 2 });
  const targets: Target[] = [
    { name: 'ours', url: gatewayUrl, pid: ours.child.pid as number },
    { name: 'stock', url: `http://127.0.0.1:${ports.stock}/`, pid: stock.child.pid as number },
  ];
  // BENCH_COMPARE_WORKERS=2: a second gateway of ours with that many workers, measured in the same run.
  const moreWorkers = process.env.BENCH_COMPARE_WORKERS;
  if (moreWorkers) {
    const port = await freePort();
    const more = gateway(`gateway-${moreWorkers}-workers`, port, moreWorkers);
    services.push(more);
    await waitReady(more, `http://127.0.0.1:${port}/ready`);
    targets.push({
      name: `ours, ${moreWorkers} workers`,
      url: `http://127.0.0.1:${port}/graphql`,
      pid: more.child.pid as number,
    });
  }
  const scenarios: Scenario[] = [
    { name: `Dashboard, ${data.tokens.length} customers`, query: operation('Dashboard'), tokens: data.tokens },
    { name: 'anonymous Products(first: 20)', query: operation('Products'), variables: { first: 20 } },
  ];
  const load: LoadSettings = {
    ...settings,
    subgraphs: SUBGRAPHS.map((name) => ({
      name,
      pid: services.find((service) => service.name === name)?.child.pid as number,
    })),
  };
  console.log(
    `\ngateway bench: ${settings.connections} connections, ${settings.prewarmSeconds} s pre-warm a gateway and scenario, then ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s a run; ` +
      `GATEWAY_WORKERS=${process.env.GATEWAY_WORKERS ?? '1'} SUBGRAPH_WORKERS=${process.env.SUBGRAPH_WORKERS ?? '1'} GATEWAY_PUBLIC_CACHE_TTL_MS=${process.env.GATEWAY_PUBLIC_CACHE_TTL_MS ?? '(default)'}`,
  );
  // BENCH_ONLY=Dashboard (or Products) runs one scenario, e.g. while profiling with BENCH_CPU_PROF.
  const chosen = scenarios.filter((s) => s.name.includes(process.env.BENCH_ONLY ?? ''));
  // Every service's code paths compiled before any measurement: a subgraph measured cold costs up to
  // twice what it costs warm, and the gateway that runs first would pay for that.
  for (const scenario of chosen) {
    for (const target of targets) await prewarm(target, scenario, settings.connections, settings.prewarmSeconds);
  }
  for (const scenario of chosen) {
    const results: Record<string, Measurement> = {};
    for (const target of targets) {
      await check(target, scenario);
      results[target.name] = await measure(target, scenario, load);
    }
    const [o, s] = [results.ours as Measurement, results.stock as Measurement];
    const rows = [
      { label: 'ours', m: o },
      { label: 'stock @apollo/gateway', m: s },
      ...targets.slice(2).map((target) => ({ label: target.name, m: results[target.name] as Measurement })),
    ];
    console.log(`\n${scenario.name}\n${table(rows)}`);
    console.log(ratios(o, s));
    for (const { label, m } of rows.slice(2)) {
      console.log(`${label} / ours: req/s ${(m.requestsPerSecond / o.requestsPerSecond).toFixed(2)}x`);
    }
  }
} finally {
  await Promise.all(services.map(stopProcess));
  await nats.dispose();
  await dropDatabases(Object.values(databases) as string[]);
}
// autocannon and the database client leave handles behind that would keep the process waiting.
process.exit(0);

async function dropDatabases(names: string[]): Promise<void> {
  const orm = await MikroORM.init({
    clientUrl: DATABASE_URL,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
  });
  try {
    for (const name of names) await orm.em.getConnection().execute(`drop database if exists "${name}" with (force)`);
  } finally {
    await orm.close(true);
  }
}
