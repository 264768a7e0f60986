import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

export interface WorkerOptions {
  /** The variable that sets how many, e.g. GATEWAY_WORKERS. */
  variable: string;
  /** How many when it is unset. */
  default: number;
}

/** How long a worker gets to stop, beyond the service's own shutdown bound, before it is killed. */
const KILL_MARGIN_MS = 4_000;

/**
 * The workers accept connections themselves, from the one listening socket, instead of node:cluster's
 * default on Linux (round robin: the primary accepts every connection and hands each worker one at a
 * time, waiting for the worker to acknowledge it over IPC before the next). Under a retry storm on a
 * loaded machine that handover made connections, `/ready`'s among them, wait seconds in the primary's
 * queue; here the first worker whose event loop comes round takes the next, so a worker busy in a long
 * turn leaves its share to the other. Replaying one fault-suite seed under two busy-looping processes,
 * the gateway's worst `/ready` was 183-718 ms (4 runs) against 819-1557 ms with round robin. The Node
 * docs warn that connections may then be spread unevenly; a busy worker taking fewer is the point, and
 * bench:orders lost nothing by it (burst 165 against 160 orders/s, steady p99 77 against 145 ms).
 * NODE_CLUSTER_SCHED_POLICY=rr still chooses round robin.
 */
function chooseScheduling(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_CLUSTER_SCHED_POLICY === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
}

/**
 * The primary process of a service run as several workers on one port (node:cluster): it serves
 * nothing itself, it starts the workers and stops them. What a supervisor sees is unchanged: one
 * process that stops on SIGTERM or SIGINT once every worker has finished its in-flight work, and
 * exits with code 1 when any worker fails, so that the whole service is restarted.
 *
 * The first worker starts alone: database migrations and one-time start-up steps (the admin
 * account, the demo catalogue) then run once, and the others start on a database that is ready.
 * Anything that must be single at run time across processes (the outbox relay's claims, durable
 * consumers) already is, because the service supports several instances.
 */
export async function superviseWorkers(
  name: string,
  count: number,
  log: Logger,
  shutdownTimeoutMs: number,
): Promise<void> {
  const workers = new Set<Worker>();
  let stopping = false;
  let exitCode = 0;

  const stop = (reason: string, code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    log.info({ reason, workers: workers.size }, 'stopping the workers');
    for (const worker of workers) worker.process.kill('SIGTERM');
    setTimeout(() => {
      log.error({ waitedMs: shutdownTimeoutMs + KILL_MARGIN_MS }, 'workers did not stop in time; killing them');
      for (const worker of workers) worker.process.kill('SIGKILL');
      process.exit(1);
    }, shutdownTimeoutMs + KILL_MARGIN_MS).unref();
    if (workers.size === 0) process.exit(exitCode);
  };

  const fork = () =>
    new Promise<void>((resolve) => {
      const worker = cluster.fork();
      workers.add(worker);
      worker.once('listening', () => resolve());
      worker.once('exit', (code, signal) => {
        workers.delete(worker);
        // A worker that stops by itself (a fatal failure, a crash) takes the service down with it.
        if (!stopping) {
          log.error({ workerPid: worker.process.pid, code, signal }, 'a worker exited; stopping the service');
          stop('worker exited', 1);
        } else {
          exitCode = Math.max(exitCode, code ?? 1);
        }
        if (stopping && workers.size === 0) process.exit(exitCode);
        resolve();
      });
    });

  process.once('SIGTERM', () => stop('SIGTERM', 0));
  process.once('SIGINT', () => stop('SIGINT', 0));
  chooseScheduling();
  await fork();
  if (stopping) return;
  await Promise.all(Array.from({ length: count - 1 }, fork));
  if (!stopping) log.info({ service: name, workers: count }, 'all workers started');
}

export const isWorker = (): boolean => cluster.isWorker;

/**
 * Subgraphs run as one process unless SUBGRAPH_WORKERS says otherwise: each worker holds a database
 * pool of its own, so more workers means more PostgreSQL connections, which a deployment sizes.
 */
export const SUBGRAPH_WORKERS: WorkerOptions = { variable: 'SUBGRAPH_WORKERS', default: 1 };
