// The scale-out on one machine, as `npm run start:cluster` and the cluster test
// (e2e/faults/cluster-run.ts) both run it: `instances` processes of every subgraph, each pair behind
// a round-robin balancer (lib/balancer.ts), and `gateways` gateways, each routing to the balancers.
// The instances of a subgraph share its database and its durable NATS consumers: JetStream hands
// each event to one of them, and the outbox relays claim rows with FOR UPDATE SKIP LOCKED.
// The orders bench (e2e/bench/orders.ts) plans one process of each, without balancers (`direct`).
import { join } from 'node:path';
import { type Balancer, startBalancer } from './balancer.ts';
import { distinctPorts } from './processes.ts';

export const CLUSTER_SUBGRAPHS = ['customer', 'product', 'order', 'credit-status'] as const;
export type ClusterSubgraph = (typeof CLUSTER_SUBGRAPHS)[number];
export type ClusterService = ClusterSubgraph | 'gateway';

/** `CREDIT_STATUS` for `credit-status`: the prefix of a subgraph's variables (_PORT, _DB_NAME, _URL). */
export const variablePrefix = (service: ClusterService): string => service.toUpperCase().replaceAll('-', '_');

const SCRIPTS: Record<ClusterService, string> = {
  customer: 'subgraphs/customer/dist/index.js',
  product: 'subgraphs/product/dist/index.js',
  order: 'subgraphs/order/dist/index.js',
  'credit-status': 'subgraphs/credit-status/dist/index.js',
  gateway: 'gateway/dist/index.js',
};

/** One process to run: which service, which of its instances, where it listens, its environment. */
export interface InstancePlan {
  service: ClusterService;
  /** 1, 2, ... */
  instance: number;
  /** `product-2`: log files and messages. */
  label: string;
  script: string;
  port: number;
  env: Record<string, string>;
}

export interface ClusterPlan {
  /** The subgraphs' instances first (customer and order own the streams others read), then the gateways. */
  instances: InstancePlan[];
  /** None with `direct`. */
  balancers: Partial<Record<ClusterSubgraph, Balancer>>;
  gatewayUrls: string[];
  close(): Promise<void>;
}

export interface ClusterPlanOptions {
  /** The repository root, where the built `dist/` entry points are. */
  repo: string;
  instances: number;
  gateways: number;
  /**
   * One instance of each subgraph, reached by the gateways at its own port: no balancer, whose
   * proxying would add a hop and CPU of its own to what a benchmark measures.
   */
  direct?: boolean;
  /** What an instance needs beyond its port (and, for a gateway, the subgraph URLs). */
  envFor: (service: ClusterService, instance: number) => Record<string, string>;
  /** Preferred ports of the first gateway (then +1, ...) and of the first balancer; free ones otherwise. */
  gatewayBasePort?: number;
  balancerBasePort?: number;
}

/** Picks the ports, starts the balancers, and says what to run; starting the processes is the caller's. */
export async function planCluster(options: ClusterPlanOptions): Promise<ClusterPlan> {
  if (options.direct && options.instances !== 1) throw new Error('a direct plan has one instance of each subgraph');
  const instances: InstancePlan[] = [];
  const balancers: Partial<Record<ClusterSubgraph, Balancer>> = {};
  const entries: Partial<Record<ClusterSubgraph, number>> = {};
  const plan = (service: ClusterService, instance: number, port: number, env: Record<string, string>) =>
    instances.push({
      service,
      instance,
      label: `${service}-${instance}`,
      script: join(options.repo, SCRIPTS[service]),
      port,
      env: { ...options.envFor(service, instance), ...env },
    });
  // Every port of the plan distinct: none is bound until its process (or balancer) starts.
  const pickPort = distinctPorts();
  try {
    for (const [i, service] of ['order', 'customer', 'product', 'credit-status'].entries()) {
      const subgraph = service as ClusterSubgraph;
      const ports: number[] = [];
      for (let instance = 1; instance <= options.instances; instance++) {
        const port = await pickPort(0);
        ports.push(port);
        plan(subgraph, instance, port, { [`${variablePrefix(subgraph)}_PORT`]: String(port) });
      }
      if (options.direct) {
        entries[subgraph] = ports[0];
        continue;
      }
      const balancer = await startBalancer(
        ports,
        await pickPort(options.balancerBasePort ? options.balancerBasePort + i : 0),
      );
      balancers[subgraph] = balancer;
      entries[subgraph] = balancer.port;
    }
    const subgraphUrls = Object.fromEntries(
      CLUSTER_SUBGRAPHS.map((subgraph) => [
        `${variablePrefix(subgraph)}_URL`,
        `http://127.0.0.1:${entries[subgraph]}/graphql`,
      ]),
    );
    const gatewayUrls: string[] = [];
    for (let instance = 1; instance <= options.gateways; instance++) {
      const port = await pickPort(options.gatewayBasePort ? options.gatewayBasePort + instance - 1 : 0);
      gatewayUrls.push(`http://127.0.0.1:${port}/graphql`);
      plan('gateway', instance, port, { ...subgraphUrls, GATEWAY_PORT: String(port) });
    }
    return {
      instances,
      balancers,
      gatewayUrls,
      close: () => closeAll(present(balancers)),
    };
  } catch (error) {
    await closeAll(present(balancers));
    throw error;
  }
}

/**
 * The order to start in: the first instance of order and customer (they own the streams the others
 * read), then the first of product and credit-status, then the other instances (each database is
 * migrated by then: instances starting together would race to migrate it), then the gateways.
 */
export function startWaves(instances: InstancePlan[]): InstancePlan[][] {
  const first = (services: ClusterService[]) =>
    instances.filter((i) => i.instance === 1 && services.includes(i.service));
  return [
    first(['order', 'customer']),
    first(['product', 'credit-status']),
    instances.filter((i) => i.instance > 1 && i.service !== 'gateway'),
    instances.filter((i) => i.service === 'gateway'),
  ].filter((wave) => wave.length > 0);
}

const present = (balancers: Partial<Record<ClusterSubgraph, Balancer>>): Balancer[] =>
  Object.values(balancers).filter((balancer): balancer is Balancer => balancer !== undefined);

async function closeAll(balancers: Balancer[]): Promise<void> {
  await Promise.all(balancers.map((balancer) => balancer.close().catch(() => undefined)));
}
