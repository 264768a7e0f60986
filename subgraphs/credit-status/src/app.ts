import { createJwtService } from '@commerce-supergraph/shared/auth/jwt';
import { openDatabase } from '@commerce-supergraph/shared/db/orm';
import { createServiceEvents, type ServiceEventsOptions } from '@commerce-supergraph/shared/events/service-events';
import { startSubgraphServer } from '@commerce-supergraph/shared/graphql/subgraph-server';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { createLogger, type Logger } from '@commerce-supergraph/shared/logging';
import type { Options } from '@mikro-orm/postgresql';
import type { CreditStatusConfig } from './config.js';
import type { CreditContext } from './context.js';
import { entities } from './entities/index.js';
import { CREDIT_STREAM, SOURCE } from './events/credit-events.js';
import { subscribeCreditHandlers } from './events/credit-handlers.js';
import { migrations } from './migrations/index.js';
import { createSchema } from './schema/index.js';
import { createLoaders } from './schema/loaders.js';

export interface CreditStatusSubgraphOptions {
  log?: Logger;
  /** Extra MikroORM options, e.g. a query counter in tests. */
  orm?: Partial<Options>;
  /** Event plumbing settings, e.g. a faster sweep or shorter retries in tests. */
  events?: Pick<ServiceEventsOptions, 'bus' | 'relay' | 'shutdownFlushMs'>;
}

export interface CreditStatusSubgraph {
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
}

export function createCreditStatusSubgraph(
  config: CreditStatusConfig,
  options: CreditStatusSubgraphOptions = {},
): CreditStatusSubgraph {
  const log = options.log ?? createLogger(SOURCE);
  let stopServer: (() => Promise<void>) | undefined;

  return {
    async start() {
      for (const name of config.devDefaultsUsed) log.warn({ variable: name }, 'using the development default');
      const orm = await openDatabase({
        url: config.databaseUrl,
        dbName: config.dbName,
        entities,
        migrations,
        log,
        overrides: options.orm,
      });
      // Does not wait for NATS: consumers attach once it (and the other services' streams) are there.
      const events = createServiceEvents({
        ...options.events,
        service: SOURCE,
        natsUrl: config.natsUrl,
        orm,
        log,
        streams: [CREDIT_STREAM],
      });
      events.start();
      await subscribeCreditHandlers(events);
      const jwt = createJwtService(config.jwt);
      const server = await startSubgraphServer<CreditContext>(
        {
          schema: await createSchema(),
          jwt,
          gatewaySecret: config.gatewaySecret,
          log,
          production: config.production,
          readiness: { database: () => orm.em.fork().execute('select 1'), nats: () => events.check() },
          createContext: (base) => {
            const em = orm.em.fork();
            return { ...base, em, loaders: createLoaders(em) };
          },
        },
        config.port,
      );
      // Requests first (they write events), then the events (consumers drain, the outbox flushes), then the pool.
      stopServer = async () => {
        await server.close();
        await events.stop();
        await orm.close();
      };
      log.info({ url: server.url }, 'credit-status subgraph ready');
      return server;
    },
    async stop() {
      await stopServer?.();
      stopServer = undefined;
    },
  };
}
