// `npm run start:cluster`: the scale-out on one machine (README, Scale-out). A 3-node NATS JetStream
// cluster of the machine's nats-server, streams with 3 replicas, two instances of every subgraph
// behind a round-robin balancer each, two gateways: the topology the cluster test
// (`npm run test:cluster`) kills parts of. PostgreSQL is chosen as `npm start` chooses it; the
// databases are the cluster's own (<name>_cluster), since its events live in its own NATS store.
// `npm run build` and `npm run compose` have run before this (see package.json).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { prepareBacking, stopServers } from './lib/backing-services.ts';
import { type ClusterPlan, planCluster, startWaves, variablePrefix } from './lib/cluster-topology.ts';
import { localDataDir, shown } from './lib/local-data.ts';
import { findOnPath, NATS_INSTALL_HINT } from './lib/local-nats.ts';
import { type NatsCluster, startNatsCluster } from './lib/nats-cluster.ts';
import { stopAll, waitUntilReady } from './lib/processes.ts';
import { REPO_ROOT } from './lib/supergraph-config.ts';

const REPLICAS = '3';
const dataDir = join(localDataDir(), 'cluster');
const logs = join(dataDir, 'logs');
const children: ChildProcess[] = [];
let nats: NatsCluster | undefined;
let plan: ClusterPlan | undefined;
let backing: Awaited<ReturnType<typeof prepareBacking>> | undefined;
let stopping = false;

// The services first, so they finish their work while PostgreSQL and NATS are still there.
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await stopAll(children);
  await plan?.close();
  await nats?.stop();
  await stopServers(backing && 'servers' in backing ? backing.servers : []);
  process.exit(code);
};
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));
process.once('SIGHUP', () => void shutdown(0));

try {
  const binary = process.env.NATS_SERVER_BIN || findOnPath('nats-server') || findOnPath('nats-server', '/usr/sbin');
  if (!binary) throw new Error(`nats-server is needed for the cluster: ${NATS_INSTALL_HINT}`);
  mkdirSync(logs, { recursive: true });
  // Same ports each time when they are free, so the URLs printed below stay the same.
  nats = await startNatsCluster({ binary, dir: join(dataDir, 'nats'), basePort: 4322 });
  await nats.waitForJetStream();
  console.log(`NATS cluster: ${nats.url} (stores and logs in ${shown(join(dataDir, 'nats'))})`);
  // PostgreSQL as npm start finds or runs it; NATS is the cluster just started.
  backing = await prepareBacking({ ...process.env, NATS_URL: nats.nodes[0]?.url });
  if ('problems' in backing) throw new Error(backing.problems.join('\n'));
  const databaseUrl = backing.env.DATABASE_URL;
  const natsUrl = nats.url;
  plan = await planCluster({
    repo: REPO_ROOT,
    instances: 2,
    gateways: 2,
    gatewayBasePort: Number(process.env.GATEWAY_PORT || 4000),
    balancerBasePort: 4311,
    envFor: (service) => ({
      NATS_URL: natsUrl,
      NATS_STREAM_REPLICAS: REPLICAS,
      ...(service === 'gateway'
        ? { STOREFRONT_DIR: process.env.STOREFRONT_DIR ?? join(REPO_ROOT, 'storefront/dist') }
        : {
            DATABASE_URL: databaseUrl,
            [`${variablePrefix(service)}_DB_NAME`]: `${service.replace('-', '_')}_cluster`,
          }),
    }),
  });
  const deadline = Date.now() + 180_000;
  for (const wave of startWaves(plan.instances)) {
    await Promise.all(
      wave.map((instance) => {
        const log = openSync(join(logs, `${instance.label}.log`), 'a');
        const child = spawn(process.execPath, ['--enable-source-maps', instance.script], {
          stdio: ['ignore', log, log],
          env: { ...process.env, ...instance.env },
        });
        child.once('exit', (code, signal) => {
          if (!stopping) {
            console.error(`${instance.label} exited (${signal ?? `code ${code}`}); stopping everything`);
            void shutdown(1);
          }
        });
        children.push(child);
        return waitUntilReady(`http://127.0.0.1:${instance.port}/ready`, deadline, () => child.exitCode === null);
      }),
    );
  }
  const instances = plan.instances.filter((i) => i.service !== 'gateway');
  console.log(
    `\ncommerce-supergraph cluster is ready (Ctrl-C stops everything):` +
      `\n  gateways:  ${plan.gatewayUrls.join('  ')}` +
      `\n  subgraphs: ${Object.entries(plan.balancers)
        .map(
          ([name, balancer]) =>
            `${name} :${balancer.port} -> ${instances
              .filter((i) => i.service === name)
              .map((i) => `:${i.port}`)
              .join(' ')}`,
        )
        .join(', ')}` +
      `\n  NATS:      ${nats.url} (streams with ${REPLICAS} replicas)` +
      `\n  logs:      ${shown(logs)}\n`,
  );
} catch (error) {
  if (!stopping) console.error(`start:cluster failed: ${(error as Error).message}`);
  await shutdown(1);
}
