// `npm start`: runs the whole supergraph on this machine. `npm run build` and `npm run compose`
// have run before this (see package.json); each subgraph creates and migrates its own database on
// the PostgreSQL chosen here (lib/backing-services.ts: yours, or one npm start runs itself).
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { prepareBacking, stopServers } from './lib/backing-services.ts';
import { startNode, stopAll, waitUntilReady } from './lib/processes.ts';
import { REPO_ROOT, readSupergraphConfig } from './lib/supergraph-config.ts';

const children: ChildProcess[] = [];
let preparing: ReturnType<typeof prepareBacking> | undefined;
let stopping = false;
// The services first, so they finish their work while the database and NATS are still there. A
// Ctrl-C while PostgreSQL or NATS is starting waits for it, so that it is stopped too.
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  const prepared = await preparing;
  await stopAll(children);
  await stopServers(prepared && 'servers' in prepared ? prepared.servers : []);
  process.exit(code);
};
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));
// A closed terminal: the servers run here would otherwise outlive it (PostgreSQL takes SIGHUP as "reload").
process.once('SIGHUP', () => void shutdown(0));

preparing = prepareBacking();
const backing = await preparing;
if ('problems' in backing) {
  for (const line of backing.problems) console.error(line);
  process.exit(1);
}

const deadline = Date.now() + 120_000;
const start = (script: string, env: Record<string, string> = {}) => {
  const child = startNode(script, { ...backing.env, ...env });
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
  if (stopping) throw new Error('stopped during start-up');
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
  const gateway = start(join(REPO_ROOT, 'gateway/dist/index.js'), {
    ...Object.fromEntries(urls.map(({ variable, url }) => [`${variable}_URL`, url.href])),
    // The storefront `npm run build:storefront` wrote, served by the gateway on its own origin.
    STOREFRONT_DIR: process.env.STOREFRONT_DIR ?? join(REPO_ROOT, 'storefront/dist'),
  });
  await waitUntilReady(`http://localhost:${gatewayPort}/ready`, deadline, () => gateway.exitCode === null);
  console.log(
    `\ncommerce-supergraph is ready: http://localhost:${gatewayPort}/graphql (Ctrl-C stops everything)` +
      `\nstorefront: http://localhost:${gatewayPort}/\n`,
  );
} catch (error) {
  if (!stopping) console.error(`start failed: ${(error as Error).message}`);
  await shutdown(1);
}
