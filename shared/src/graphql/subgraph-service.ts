import type { MigrationObject } from '@mikro-orm/core';
import type { AnyEntity, EntityClass, EntityManager, Options } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import type { RequestContext } from '../auth/context.js';
import { createTokenVerifier, type TokenVerifier } from '../auth/jwt.js';
import { type RevocationList, withRevocations } from '../auth/revocations.js';
import { DatabaseHealth, type DatabaseHealthOptions } from '../db/health.js';
import { closeDatabase, type DatabaseTimeouts, type Orm, openDatabase } from '../db/orm.js';
import { RevocationFeed } from '../events/jetstream/revocation-feed.js';
import type { StreamSpec } from '../events/jetstream/streams.js';
import {
  createServiceEvents,
  type ServiceEvents,
  type ServiceEventsOptions,
  type Subscription,
} from '../events/service-events.js';
import { EventLoopPressure } from '../http/load-shedding.js';
import type { RunningServer } from '../http/server.js';
import { createLogger, type Logger } from '../logging.js';
import { ServiceMetrics } from '../observability/metrics.js';
import { graphqlPortMetrics } from '../observability/metrics-endpoint.js';
import { startMetricsServer } from '../observability/metrics-server.js';
import {
  registerConsumerMetrics,
  registerDatabaseMetrics,
  registerOutboxMetrics,
} from '../observability/service-collectors.js';
import type { SubgraphConfig } from '../service-config.js';
import { DeadlineError, deadline } from '../time.js';
import { startSubgraphServer } from './subgraph-server.js';

/** Test and tooling knobs every subgraph factory accepts. */
export interface SubgraphOptions {
  log?: Logger;
  /** Extra MikroORM options, e.g. a query counter in tests. */
  orm?: Partial<Options>;
  /** Event plumbing settings, e.g. a faster sweep or shorter retries in tests. */
  events?: Pick<ServiceEventsOptions, 'bus' | 'relay' | 'shutdownFlushMs'>;
  /** Database deadlines and the watchdog's pace; the configuration's values otherwise. */
  database?: {
    timeouts?: Partial<DatabaseTimeouts>;
    health?: Pick<
      DatabaseHealthOptions,
      'intervalMs' | 'giveUpAfterMs' | 'probeTimeoutMs' | 'readyTimeoutMs' | 'poolStuckMs'
    >;
  };
  /** The longest a stop may take; the configuration's value otherwise. */
  shutdownTimeoutMs?: number;
  /** How long start-up waits for the token revocations to be read. Default REVOCATIONS_READY_MS. */
  revocationsReadyMs?: number;
}

/**
 * Start-up waits this long for the revocations of still-valid tokens (revocation-feed.ts); past it
 * (NATS away) it serves without them, says so, and reads them as soon as NATS answers.
 */
export const REVOCATIONS_READY_MS = 5_000;

/** What is running once the database and the events are up, handed to a subgraph's own hooks. */
export interface SubgraphRuntime {
  orm: Orm;
  events: ServiceEvents;
  /** Verifies tokens with the public keys only (no subgraph but the customer's can sign one), and refuses revoked ones. */
  tokens: TokenVerifier;
  /** The revoked sessions, by customer, as announced on NATS: what `tokens` checks. */
  revocations: RevocationList;
  log: Logger;
  /** This service's `/metrics` registry: a subgraph adds gauges of its own (the order subgraph: orders by status). */
  metrics: ServiceMetrics;
}

export interface SubgraphDefinition<TContext extends RequestContext> {
  /** The service name: logger name, event source, consumer prefix. */
  name: string;
  entities: EntityClass<AnyEntity>[];
  migrations: MigrationObject[];
  /** The streams this subgraph publishes to; it owns and creates them. */
  streams: StreamSpec[];
  createSchema(): Promise<GraphQLSchema>;
  /** The registration list: every subject this subgraph consumes and its handler (events/handlers). */
  eventHandlers(runtime: SubgraphRuntime): Promise<Subscription[]> | Subscription[];
  /**
   * Runs before requests are served, once the consumers are attached: seeds, bootstrap accounts, background jobs.
   * What it returns is called at shutdown, before the events stop (a job may still write events).
   */
  prepare?(runtime: SubgraphRuntime): Promise<(() => Promise<void>) | undefined | void>;
  /** The context of one request, around an EntityManager forked for it alone. */
  createContext(base: RequestContext, em: EntityManager, runtime: SubgraphRuntime): TContext;
}

export interface SubgraphService {
  start(): Promise<RunningServer>;
  /** Stops within the shutdown timeout whatever the connections do; rejects when a step failed or ran out of time. */
  stop(): Promise<void>;
  /**
   * Called when the service cannot recover by itself (its database unreachable for longer than
   * the watchdog allows): the process should stop and exit non-zero, so its supervisor restarts it.
   */
  onFatal(listener: (error: Error) => void): void;
}

interface StartedStep {
  name: string;
  stop: () => Promise<void>;
  /** The most this step may take, within what is left of the whole stop. */
  maxMs: number;
}

/**
 * The one way a subgraph starts: its database (created and migrated, waiting for it at start-up
 * within a deadline), its events (outbox relay, streams, consumers; NATS may come later), its own
 * preparation, then `/graphql` behind the gateway secret, `/ready` reporting the database (the one
 * thing a subgraph cannot work without) and `/health` the database and NATS. Stopping runs in
 * reverse: requests first (they write events), then jobs, then the events (consumers drain, the
 * outbox flushes), then the pool; each step within a deadline, the whole within the shutdown timeout.
 */
export function createSubgraphService<TContext extends RequestContext>(
  definition: SubgraphDefinition<TContext>,
  config: SubgraphConfig,
  options: SubgraphOptions = {},
): SubgraphService {
  const log = options.log ?? createLogger(definition.name);
  const fatalListeners: ((error: Error) => void)[] = [];
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? config.runtime.shutdownTimeoutMs;
  let stopAll: (() => Promise<void>) | undefined;

  return {
    async start() {
      for (const name of config.devDefaultsUsed) log.warn({ variable: name }, 'using the development default');
      // What has started, stopped in reverse on shutdown, or at once when a later step fails to start.
      const started: StartedStep[] = [];
      const stopStarted = () => stopSteps(started.splice(0).reverse(), shutdownTimeoutMs, log);
      const metrics = new ServiceMetrics(definition.name);
      try {
        const orm = await openDatabase({
          url: config.databaseUrl,
          dbName: config.dbName,
          entities: definition.entities,
          migrations: definition.migrations,
          log,
          timeouts: { ...config.runtime.database, ...options.database?.timeouts },
          poolMax: config.runtime.database.poolMax,
          overrides: options.orm,
        });
        started.push({ name: 'database pool', stop: () => closeDatabase(orm, log), maxMs: 5_000 });
        registerDatabaseMetrics(metrics, orm);
        registerOutboxMetrics(metrics, orm);
        const health = new DatabaseHealth({
          orm,
          log,
          giveUpAfterMs: config.runtime.database.giveUpAfterMs,
          ...options.database?.health,
          onGiveUp: (error) => {
            log.fatal({ err: error }, 'database unrecoverable; the service gives up to be restarted');
            for (const listener of fatalListeners) listener(error);
          },
        });
        health.start();
        started.push({ name: 'database watchdog', stop: () => health.stop(), maxMs: 1_500 });
        const events = createServiceEvents({
          ...options.events,
          service: definition.name,
          natsUrl: config.natsUrl,
          natsAuth: config.natsAuth,
          orm,
          log,
          streams: definition.streams,
          streamReplicas: config.streamReplicas,
          metrics,
        });
        registerConsumerMetrics(metrics, events.bus);
        events.start();
        started.push({ name: 'events', stop: () => events.stop(), maxMs: 15_000 });
        const feed = new RevocationFeed({
          natsUrl: config.natsUrl,
          natsAuth: config.natsAuth,
          service: definition.name,
          log,
        });
        feed.start();
        started.push({ name: 'revocation feed', stop: () => feed.stop(), maxMs: 2_000 });
        const runtime: SubgraphRuntime = {
          orm,
          events,
          tokens: withRevocations(createTokenVerifier(config.jwt), feed.revocations),
          revocations: feed.revocations,
          log,
          metrics,
        };
        // Consumers attach even before the streams they read exist (the bus retries); events wait meanwhile.
        await events.subscribe(await definition.eventHandlers(runtime));
        const revocationsMs = options.revocationsReadyMs ?? REVOCATIONS_READY_MS;
        if (!(await feed.whenReady(revocationsMs))) {
          log.warn({ waitedMs: revocationsMs }, 'token revocations not read yet (NATS away); serving meanwhile');
        }
        const stopJobs = await definition.prepare?.(runtime);
        if (stopJobs) started.push({ name: 'background jobs', stop: stopJobs, maxMs: 5_000 });
        const pressure = new EventLoopPressure({
          maxDelayMs: config.runtime.maxEventLoopDelayMs,
          log,
          onShed: () => metrics.shedRequests.inc(),
        });
        pressure.start();
        started.push({ name: 'load shedding', stop: async () => pressure.stop(), maxMs: 100 });
        const server = await startSubgraphServer<TContext>(
          {
            schema: await definition.createSchema(),
            tokens: runtime.tokens,
            gatewaySecret: config.gatewaySecret,
            log,
            production: config.production,
            // NATS is not here: writes go to the outbox while it is away, so a broker outage is no API outage.
            readiness: { database: () => health.ready() },
            health: () => ({ database: health.state(), nats: events.state() }),
            createContext: (base) => definition.createContext(base, orm.em.fork(), runtime),
            metrics,
            metricsEndpoint: graphqlPortMetrics(metrics, config.metrics, config.production),
            service: definition.name,
            pressure,
          },
          config.port,
        );
        started.push({ name: 'HTTP server', stop: () => server.close(), maxMs: 6_000 });
        const metricsServer = await startMetricsServer(metrics, config.metrics ?? {}, log);
        if (metricsServer)
          started.push({ name: 'metrics server', stop: () => metricsServer.close(1_000), maxMs: 2_000 });
        stopAll = stopStarted;
        // The key ids tokens are accepted from: what to compare a refused token's `kid` with.
        log.info(
          { url: server.url, jwtKeyIds: config.jwt.publicKeys.map((key) => key.kid) },
          `${definition.name} subgraph ready`,
        );
        return server;
      } catch (error) {
        await stopStarted().catch((stopError: unknown) =>
          log.warn({ err: stopError }, 'stopping after a failed start'),
        );
        throw error;
      }
    },
    async stop() {
      const stopping = stopAll;
      stopAll = undefined;
      await stopping?.();
    },
    onFatal(listener) {
      fatalListeners.push(listener);
    },
  };
}

/**
 * Runs the stop steps in order, each within its own bound and what is left of `totalMs`. A step
 * that fails or runs out of time is logged and left behind, and the next one runs anyway (the
 * pool still closes when the consumers hang). Rejects afterwards, naming what did not finish.
 */
async function stopSteps(steps: StartedStep[], totalMs: number, log: Logger): Promise<void> {
  const end = Date.now() + totalMs;
  const unfinished: string[] = [];
  for (const step of steps) {
    const budget = Math.max(0, Math.min(step.maxMs, end - Date.now()));
    try {
      await deadline(step.stop(), budget, `stopping the ${step.name}`);
    } catch (error) {
      unfinished.push(step.name);
      log.warn(
        { err: error, step: step.name },
        error instanceof DeadlineError ? 'stop step ran out of time' : 'stop step failed',
      );
    }
  }
  if (unfinished.length > 0) throw new Error(`shutdown incomplete: ${unfinished.join(', ')}`);
}
