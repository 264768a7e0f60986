import { setTimeout as sleep } from 'node:timers/promises';
import type { TestNatsServer } from '@commerce-supergraph/test-support/nats-server';
import type { TestPostgresServer } from '@commerce-supergraph/test-support/postgres-server';
import type { Clock } from './clock.ts';
import { type ServiceName, type ServiceProcess, SUBGRAPHS } from './cluster.ts';
import type { Random } from './random.ts';

export type Fault =
  /** SIGKILL nats-server, start it again (same store) after `downMs`. */
  | { kind: 'nats-kill'; gapMs: number; downMs: number }
  /** SIGKILL a subgraph, start a new process after `downMs`. */
  | { kind: 'service-kill'; service: 'product' | 'order'; gapMs: number; downMs: number }
  /** `pg_ctl stop -m immediate`, start again after `downMs` (crash recovery). */
  | { kind: 'pg-restart'; gapMs: number; downMs: number }
  /**
   * PostgreSQL crashes and a subgraph is SIGKILLed with it; the subgraph's new process starts
   * `spawnOffsetMs` relative to PostgreSQL's start (negative: while it is still down), so it comes
   * up while PostgreSQL is down, starting or recovering.
   */
  | {
      kind: 'pg-restart-with-service';
      service: (typeof SUBGRAPHS)[number];
      gapMs: number;
      downMs: number;
      spawnOffsetMs: number;
    };

/**
 * The run's faults, varied by the seed: every kind once per round in a shuffled order, separated by
 * short random gaps (so they often overlap the previous fault's recovery), each down for a random
 * time. When they would not all begin while orders are still arriving (`windowMs`), gaps and
 * down times are shrunk in proportion, so every fault meets orders in flight.
 */
export function planFaults(random: Random, rounds: number, windowMs: number): { faults: Fault[]; scale: number } {
  const faults = drawFaults(random, rounds);
  // Every fault but the last must be over (PostgreSQL's recovery takes about a second more) before the next.
  const span = faults.reduce(
    (total, fault, i) =>
      total + fault.gapMs + (i < faults.length - 1 ? fault.downMs + (fault.kind.startsWith('pg') ? 1000 : 0) : 0),
    0,
  );
  const scale = span > windowMs ? windowMs / span : 1;
  if (scale < 1) {
    for (const fault of faults) {
      fault.gapMs = Math.max(100, Math.round(fault.gapMs * scale));
      fault.downMs = Math.max(150, Math.round(fault.downMs * scale));
      if (fault.kind === 'pg-restart-with-service') fault.spawnOffsetMs = Math.round(fault.spawnOffsetMs * scale);
    }
  }
  return { faults, scale };
}

function drawFaults(random: Random, rounds: number): Fault[] {
  const faults: Fault[] = [];
  for (let round = 0; round < rounds; round++) {
    const kinds = random.shuffle(['nats-kill', 'product', 'order', 'pg-restart', 'pg-restart-with-service'] as const);
    for (const kind of kinds) {
      const gapMs = Math.round(faults.length === 0 ? random.between(500, 2000) : random.between(200, 2500));
      if (kind === 'nats-kill') faults.push({ kind, gapMs, downMs: Math.round(random.between(500, 4000)) });
      else if (kind === 'product' || kind === 'order')
        faults.push({ kind: 'service-kill', service: kind, gapMs, downMs: Math.round(random.between(200, 3000)) });
      else if (kind === 'pg-restart') faults.push({ kind, gapMs, downMs: Math.round(random.between(300, 3000)) });
      else
        faults.push({
          kind,
          service: random.pick(SUBGRAPHS),
          gapMs,
          downMs: Math.round(random.between(500, 3000)),
          spawnOffsetMs: Math.round(random.between(-1500, 200)),
        });
    }
  }
  return faults;
}

export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'nats-kill':
      return `NATS SIGKILL, down ${fault.downMs} ms`;
    case 'service-kill':
      return `${fault.service} SIGKILL, down ${fault.downMs} ms`;
    case 'pg-restart':
      return `PostgreSQL stop -m immediate, down ${fault.downMs} ms`;
    case 'pg-restart-with-service':
      return `PostgreSQL stop -m immediate, down ${fault.downMs} ms, ${fault.service} SIGKILL and started ${fault.spawnOffsetMs} ms from PostgreSQL's start`;
  }
}

/** Whether PostgreSQL and NATS are up, and since when (clock ms): what a recovering service needs. */
export class Infrastructure {
  pgUpSince: number | undefined = 0;
  natsUpSince: number | undefined = 0;
  readonly pg: TestPostgresServer;
  readonly nats: TestNatsServer;

  constructor(pg: TestPostgresServer, nats: TestNatsServer) {
    this.pg = pg;
    this.nats = nats;
  }

  /** Since when both are up; undefined while either is down. */
  upSince(): number | undefined {
    if (this.pgUpSince === undefined || this.natsUpSince === undefined) return undefined;
    return Math.max(this.pgUpSince, this.natsUpSince);
  }
}

export interface InjectedFault {
  fault: Fault;
  startedAt: number;
  /** When the last restart of this fault was issued. */
  restartedAt?: number;
  /** What happened, with times. */
  steps: string[];
}

/**
 * Runs the plan against the live supergraph. Returns when every fault's restarts are issued
 * (recovery is the caller's to wait for); PostgreSQL is awaited before the next PostgreSQL fault.
 */
export async function injectFaults(
  plan: Fault[],
  infra: Infrastructure,
  services: Record<ServiceName, ServiceProcess>,
  clock: Clock,
  aborted: () => boolean,
  onStep: (line: string) => void,
): Promise<InjectedFault[]> {
  const injected: InjectedFault[] = [];
  let pgAccepting: Promise<void> = Promise.resolve();
  let pgFailure: Error | undefined;
  const step = (entry: InjectedFault, text: string) => {
    const line = `${clock.stamp()} ${text}`;
    entry.steps.push(line);
    onStep(line);
  };
  const startPg = (entry: InjectedFault) => {
    const issued = clock.now();
    step(entry, 'PostgreSQL start issued');
    pgAccepting = (async () => {
      try {
        await infra.pg.start({ wait: false });
        await infra.pg.waitUntilAccepting(120_000);
        infra.pgUpSince = clock.now();
        step(entry, `PostgreSQL accepts connections again (${Math.round(clock.now() - issued)} ms after start)`);
      } catch (error) {
        pgFailure ??= error as Error;
        step(entry, `PostgreSQL did not come back: ${(error as Error).message}`);
      }
    })();
  };
  const respawn = (entry: InjectedFault, service: ServiceProcess, reason: string) => {
    if (service.alive()) {
      step(entry, `${service.name} already running again (restarted after exiting), not spawned`);
      return;
    }
    service.start(reason);
    step(entry, `${service.name} started (generation ${service.generation}, pid ${service.pid})`);
  };

  for (const fault of plan) {
    if (aborted()) break;
    await sleep(fault.gapMs);
    const entry: InjectedFault = { fault, startedAt: clock.now(), steps: [] };
    injected.push(entry);
    switch (fault.kind) {
      case 'nats-kill': {
        await infra.nats.kill();
        infra.natsUpSince = undefined;
        step(entry, 'NATS killed (SIGKILL)');
        await sleep(fault.downMs);
        await infra.nats.start();
        infra.natsUpSince = clock.now();
        entry.restartedAt = clock.now();
        step(entry, 'NATS started again (same store)');
        break;
      }
      case 'service-kill': {
        const service = services[fault.service];
        await service.kill('SIGKILL');
        step(entry, `${fault.service} killed (SIGKILL, generation ${service.generation})`);
        await sleep(fault.downMs);
        respawn(entry, service, 'after SIGKILL');
        entry.restartedAt = clock.now();
        break;
      }
      case 'pg-restart': {
        await pgAccepting;
        await infra.pg.stop('immediate');
        infra.pgUpSince = undefined;
        step(entry, 'PostgreSQL stopped (pg_ctl stop -m immediate)');
        await sleep(fault.downMs);
        startPg(entry);
        entry.restartedAt = clock.now();
        break;
      }
      case 'pg-restart-with-service': {
        await pgAccepting;
        const service = services[fault.service];
        await infra.pg.stop('immediate');
        infra.pgUpSince = undefined;
        step(entry, 'PostgreSQL stopped (pg_ctl stop -m immediate)');
        await service.kill('SIGKILL');
        step(entry, `${fault.service} killed (SIGKILL)`);
        const pgStartAt = clock.now() + fault.downMs;
        const spawnAt = Math.max(clock.now(), pgStartAt + fault.spawnOffsetMs);
        const spawn = async () => {
          await sleep(Math.max(0, spawnAt - clock.now()));
          const state = infra.pg.state();
          respawn(entry, service, 'while PostgreSQL restarts');
          step(entry, `${fault.service} spawned while PostgreSQL was ${await state}`);
        };
        const spawned = spawn();
        await sleep(Math.max(0, pgStartAt - clock.now()));
        startPg(entry);
        await spawned;
        entry.restartedAt = clock.now();
        break;
      }
    }
  }
  await pgAccepting;
  if (pgFailure) throw pgFailure;
  return injected;
}
