import { createJwtService } from '@commerce-supergraph/shared/auth/jwt';
import { openDatabase } from '@commerce-supergraph/shared/db/orm';
import { createServiceEvents, type ServiceEventsOptions } from '@commerce-supergraph/shared/events/service-events';
import { startSubgraphServer } from '@commerce-supergraph/shared/graphql/subgraph-server';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { createLogger, type Logger } from '@commerce-supergraph/shared/logging';
import type { Options } from '@mikro-orm/postgresql';
import type { CustomerConfig } from './config.js';
import type { CustomerContext } from './context.js';
import { ensureAdmin } from './domain/admin.js';
import { LoginThrottle } from './domain/login-throttle.js';
import { LoggingNotifier, type Notifier } from './domain/notifier.js';
import { entities } from './entities/index.js';
import { CUSTOMER_STREAM, SOURCE } from './events/customer-events.js';
import { subscribeNotifications } from './events/notification-handlers.js';
import { migrations } from './migrations/index.js';
import { createSchema } from './schema/index.js';
import { createLoaders } from './schema/loaders.js';

export interface CustomerSubgraphOptions {
  log?: Logger;
  /** Extra MikroORM options, e.g. a query counter in tests. */
  orm?: Partial<Options>;
  /** Event plumbing settings, e.g. a faster sweep in tests. */
  events?: Pick<ServiceEventsOptions, 'bus' | 'relay' | 'shutdownFlushMs'>;
  /** Where notifications are sent; logged by default, until a mail transport is plugged in. */
  notifier?: Notifier;
}

export interface CustomerSubgraph {
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
}

export function createCustomerSubgraph(
  config: CustomerConfig,
  options: CustomerSubgraphOptions = {},
): CustomerSubgraph {
  const log = options.log ?? createLogger('customer');
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
      // Started before anything writes events; it does not wait for NATS: events wait in the outbox.
      const events = createServiceEvents({
        ...options.events,
        service: SOURCE,
        natsUrl: config.natsUrl,
        orm,
        log,
        streams: [CUSTOMER_STREAM],
      });
      events.start();
      await subscribeNotifications(events, options.notifier ?? new LoggingNotifier(log));
      await ensureAdmin(orm.em.fork(), config.admin, log);
      const jwt = createJwtService(config.jwt);
      const throttle = new LoginThrottle(config.loginThrottle);
      const server = await startSubgraphServer<CustomerContext>(
        {
          schema: await createSchema(),
          jwt,
          gatewaySecret: config.gatewaySecret,
          log,
          production: config.production,
          readiness: { database: () => orm.em.fork().execute('select 1'), nats: () => events.check() },
          createContext: (base) => {
            const em = orm.em.fork();
            return { ...base, em, loaders: createLoaders(em), jwt, throttle };
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
      log.info({ url: server.url }, 'customer subgraph ready');
      return server;
    },
    async stop() {
      await stopServer?.();
      stopServer = undefined;
    },
  };
}
