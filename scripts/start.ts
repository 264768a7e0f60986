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
const start = (script: string) => {
  const child = startNode(script);
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
  await Promise.all(
    subgraphs.map((subgraph) => {
      const child = start(join(subgraph.workspace, 'dist/index.js'));
      return waitUntilReady(new URL('/ready', subgraph.routingUrl).href, deadline, () => child.exitCode === null);
    }),
  );
  const gatewayPort = process.env.GATEWAY_PORT ?? '4000';
  const gateway = start(join(REPO_ROOT, 'gateway/dist/index.js'));
  await waitUntilReady(`http://localhost:${gatewayPort}/ready`, deadline, () => gateway.exitCode === null);
  console.log(`\ncommerce-supergraph is ready: http://localhost:${gatewayPort}/graphql (Ctrl-C stops everything)\n`);
} catch (error) {
  console.error(`start failed: ${(error as Error).message}`);
  await shutdown(1);
}
