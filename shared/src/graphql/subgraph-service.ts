import type { MigrationObject } from '@mikro-orm/core';
import type { AnyEntity, EntityClass, EntityManager, Options } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import type { RequestContext } from '../auth/context.js';
import { createJwtService, type JwtService } from '../auth/jwt.js';
import { type Orm, openDatabase } from '../db/orm.js';
import type { StreamSpec } from '../events/jetstream/streams.js';
import {
  createServiceEvents,
  type ServiceEvents,
  type ServiceEventsOptions,
  type Subscription,
} from '../events/service-events.js';
import type { RunningServer } from '../http/server.js';
import { createLogger, type Logger } from '../logging.js';
import type { SubgraphConfig } from '../service-config.js';
import { startSubgraphServer } from './subgraph-server.js';

/** Test and tooling knobs every subgraph factory accepts. */
export interface SubgraphOptions {
  log?: Logger;
  /** Extra MikroORM options, e.g. a query counter in tests. */
  orm?: Partial<Options>;
  /** Event plumbing settings, e.g. a faster sweep or shorter retries in tests. */
  events?: Pick<ServiceEventsOptions, 'bus' | 'relay' | 'shutdownFlushMs'>;
}

/** What is running once the database and the events are up, handed to a subgraph's own hooks. */
export interface SubgraphRuntime {
  orm: Orm;
  events: ServiceEvents;
  jwt: JwtService;
  log: Logger;
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
  stop(): Promise<void>;
}

/**
 * The one way a subgraph starts: its database (created and migrated), its events (outbox relay,
 * streams, consumers; NATS may come later), its own preparation, then `/graphql` behind the
 * gateway secret with `/ready` reporting the database and NATS. Stopping runs in reverse: requests
 * first (they write events), then jobs, then the events (consumers drain, the outbox flushes), then the pool.
 */
export function createSubgraphService<TContext extends RequestContext>(
  definition: SubgraphDefinition<TContext>,
  config: SubgraphConfig,
  options: SubgraphOptions = {},
): SubgraphService {
  const log = options.log ?? createLogger(definition.name);
  let stopAll: (() => Promise<void>) | undefined;

  return {
    async start() {
      for (const name of config.devDefaultsUsed) log.warn({ variable: name }, 'using the development default');
      // What has started, stopped in reverse on shutdown, or at once when a later step fails to start.
      const started: (() => Promise<void>)[] = [];
      const stopStarted = async () => {
        for (const stop of started.splice(0).reverse()) await stop();
      };
      try {
        const orm = await openDatabase({
          url: config.databaseUrl,
          dbName: config.dbName,
          entities: definition.entities,
          migrations: definition.migrations,
          log,
          overrides: options.orm,
        });
        started.push(() => orm.close());
        const events = createServiceEvents({
          ...options.events,
          service: definition.name,
          natsUrl: config.natsUrl,
          natsAuth: config.natsAuth,
          orm,
          log,
          streams: definition.streams,
        });
        events.start();
        started.push(() => events.stop());
        const runtime: SubgraphRuntime = { orm, events, jwt: createJwtService(config.jwt), log };
        // Consumers attach even before the streams they read exist (the bus retries); events wait meanwhile.
        await events.subscribe(await definition.eventHandlers(runtime));
        const stopJobs = await definition.prepare?.(runtime);
        if (stopJobs) started.push(stopJobs);
        const server = await startSubgraphServer<TContext>(
          {
            schema: await definition.createSchema(),
            jwt: runtime.jwt,
            gatewaySecret: config.gatewaySecret,
            log,
            production: config.production,
            readiness: { database: () => orm.em.fork().execute('select 1'), nats: () => events.check() },
            createContext: (base) => definition.createContext(base, orm.em.fork(), runtime),
          },
          config.port,
        );
        started.push(() => server.close());
        stopAll = stopStarted;
        log.info({ url: server.url }, `${definition.name} subgraph ready`);
        return server;
      } catch (error) {
        await stopStarted();
        throw error;
      }
    },
    async stop() {
      const stopping = stopAll;
      stopAll = undefined;
      await stopping?.();
    },
  };
}
