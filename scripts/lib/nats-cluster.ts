// A NATS JetStream cluster on one machine: the machine's nats-server as `size` processes, each with
// its own client port, route port, monitoring port and store, joined by cluster routes on loopback.
// `npm run start:cluster` and the cluster test (e2e/faults/cluster-run.ts) run it; a node can be
// killed and started again on the same ports and store, as a crashed server comes back.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { distinctPorts, reachable, stopProcess } from './processes.ts';

export interface NatsNode {
  name: string;
  port: number;
  url: string;
  /** The monitoring endpoint (`/jsz`, `/routez`), loopback only. */
  monitorPort: number;
  logFile: string;
  pid(): number | undefined;
  alive(): boolean;
  /** Starts the node (again) on its ports and store; resolves once it takes client connections. */
  start(): Promise<void>;
  /** SIGKILL: a crash, nothing flushed. */
  kill(): Promise<void>;
  /** SIGTERM: nats-server flushes JetStream to disk and leaves the cluster. */
  stop(): Promise<void>;
}

export interface NatsCluster {
  nodes: NatsNode[];
  /** Every member's URL separated by commas: what NATS_URL takes (shared/src/nats-config.ts). */
  url: string;
  /** Resolves once every running node sees a JetStream meta leader (streams can be created). */
  waitForJetStream(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface NatsClusterOptions {
  binary: string;
  /** Where the stores, configuration files and logs go. */
  dir: string;
  size?: number;
  /** The cluster's name; every node must have the same. */
  name?: string;
  /** Configuration text added to every node's, e.g. the committed `authorization { ... }` block. */
  config?: string;
  /** Environment of the server processes: what `$VARIABLE` references in `config` read. */
  env?: Record<string, string>;
  /** Preferred first client port (then +1, +2), when free; any free port otherwise. */
  basePort?: number;
}

export async function startNatsCluster(options: NatsClusterOptions): Promise<NatsCluster> {
  const size = options.size ?? 3;
  const clusterName = options.name ?? 'commerce';
  await mkdir(options.dir, { recursive: true });
  const ports: { client: number; route: number; monitor: number }[] = [];
  // One at a time and never one twice: a pick releases the port it found (distinctPorts).
  const pick = distinctPorts();
  for (let i = 0; i < size; i++) {
    const client = await pick(options.basePort ? options.basePort + i : 0);
    ports.push({ client, route: await pick(0), monitor: await pick(0) });
  }
  const nodes = await Promise.all(
    ports.map(async (own, i) => {
      const name = `n${i + 1}`;
      const configFile = join(options.dir, `${name}.conf`);
      const routes = ports.filter((_, j) => j !== i).map((other) => `nats-route://127.0.0.1:${other.route}`);
      await writeFile(
        configFile,
        [
          `server_name: ${name}`,
          `listen: "127.0.0.1:${own.client}"`,
          `http: "127.0.0.1:${own.monitor}"`,
          `jetstream { store_dir: ${JSON.stringify(join(options.dir, name))} }`,
          `cluster { name: ${clusterName}, listen: "127.0.0.1:${own.route}", routes: [${routes.map((r) => JSON.stringify(r)).join(', ')}] }`,
          options.config ?? '',
          '',
        ].join('\n'),
      );
      return natsNode(options, name, configFile, own.client, own.monitor);
    }),
  );
  try {
    await Promise.all(nodes.map((node) => node.start()));
  } catch (error) {
    // None may outlive a failed start: the caller has nothing to stop yet.
    await Promise.all(nodes.map((node) => node.kill()));
    throw error;
  }
  return {
    nodes,
    url: nodes.map((node) => node.url).join(','),
    async waitForJetStream(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const leaders = await Promise.all(nodes.filter((node) => node.alive()).map(metaLeader));
        if (leaders.length > 0 && leaders.every((leader) => leader !== undefined)) return;
        if (Date.now() > deadline) throw new Error(`the NATS cluster elected no JetStream leader in ${timeoutMs} ms`);
        await sleep(250);
      }
    },
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
}

function natsNode(
  options: NatsClusterOptions,
  name: string,
  configFile: string,
  port: number,
  monitorPort: number,
): NatsNode {
  const url = `nats://127.0.0.1:${port}`;
  const logFile = join(options.dir, `${name}.log`);
  let child: ChildProcess | undefined;
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    if (running) await stopProcess(running, signal);
  };
  return {
    name,
    port,
    url,
    monitorPort,
    logFile,
    pid: () => (alive() ? child?.pid : undefined),
    alive,
    async start() {
      if (alive()) throw new Error(`nats-server ${name} is already running`);
      const process = spawn(options.binary, ['-c', configFile, '-l', logFile], {
        stdio: 'ignore',
        env: { ...globalThis.process.env, ...options.env },
      });
      child = process;
      const deadline = Date.now() + 15_000;
      while (!(await reachable(url, port, 500))) {
        if (process.exitCode !== null || process.signalCode !== null || Date.now() > deadline)
          throw new Error(`nats-server ${name} did not start (log: ${logFile})`);
        await sleep(50);
      }
    },
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}

/** The JetStream meta leader this node knows of, from its monitoring endpoint; undefined if none yet. */
async function metaLeader(node: NatsNode): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${node.monitorPort}/jsz`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as { meta_cluster?: { leader?: string } };
    return body.meta_cluster?.leader || undefined;
  } catch {
    return undefined;
  }
}
