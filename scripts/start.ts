// `npm start`: runs the whole supergraph on this machine. `npm run build` and `npm run compose`
// have run before this (see package.json); each subgraph creates and migrates its own database.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { reachable, startNode, stopAll, waitUntilReady } from './lib/processes.ts';
import { REPO_ROOT, readSupergraphConfig } from './lib/supergraph-config.ts';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const START_HINTS = {
  PostgreSQL: `start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or: docker compose up -d postgres), or set DATABASE_URL`,
  NATS: `start it with: nats-server -js -a 127.0.0.1 -p 4222 (or: docker compose up -d nats), or set NATS_URL`,
};

const missing = [
  ...((await reachable(databaseUrl, 5432))
    ? []
    : [`PostgreSQL is not reachable at ${databaseUrl}: ${START_HINTS.PostgreSQL}`]),
  ...((await reachable(natsUrl, 4222)) ? [] : [`NATS is not reachable at ${natsUrl}: ${START_HINTS.NATS}`]),
];
if (missing.length > 0) {
  for (const line of missing) console.error(line);
  process.exit(1);
}

const children: ChildProcess[] = [];
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await stopAll(children);
  process.exit(code);
};
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));

const deadline = Date.now() + 120_000;
const start = (script: string, env: Record<string, string> = {}) => {
  const child = startNode(script, env);
  child.once('exit', (code) => {
    if (!stopping) {
      console.error(`${script} exited with code ${code}; stopping everything`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
};

try {
  const { subgraphs } = readSupergraphConfig();
  // Each subgraph listens on <NAME>_PORT when set (e.g. CUSTOMER_PORT), else on its routing URL's port;
  // the gateway is told where with <NAME>_URL, so a second supergraph can run beside the first.
  const urls = subgraphs.map((subgraph) => {
    const variable = subgraph.name.toUpperCase().replaceAll('-', '_');
    const url = new URL(subgraph.routingUrl);
    url.port = process.env[`${variable}_PORT`] || url.port;
    return { subgraph, variable, url };
  });
  await Promise.all(
    urls.map(({ subgraph, url }) => {
      const child = start(join(subgraph.workspace, 'dist/index.js'));
      return waitUntilReady(new URL('/ready', url).href, deadline, () => child.exitCode === null);
    }),
  );
  const gatewayPort = process.env.GATEWAY_PORT ?? '4000';
  const gateway = start(
    join(REPO_ROOT, 'gateway/dist/index.js'),
    Object.fromEntries(urls.map(({ variable, url }) => [`${variable}_URL`, url.href])),
  );
  await waitUntilReady(`http://localhost:${gatewayPort}/ready`, deadline, () => gateway.exitCode === null);
  console.log(`\ncommerce-supergraph is ready: http://localhost:${gatewayPort}/graphql (Ctrl-C stops everything)\n`);
} catch (error) {
  console.error(`start failed: ${(error as Error).message}`);
  await shutdown(1);
}
