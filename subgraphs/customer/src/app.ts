import { createJwtService } from '@commerce-supergraph/shared/auth/jwt';
import { openDatabase } from '@commerce-supergraph/shared/db/orm';
import { startSubgraphServer } from '@commerce-supergraph/shared/graphql/subgraph-server';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { createLogger, type Logger } from '@commerce-supergraph/shared/logging';
import type { Options } from '@mikro-orm/postgresql';
import type { CustomerConfig } from './config.js';
import type { CustomerContext } from './context.js';
import { ensureAdmin } from './domain/admin.js';
import { LoginThrottle } from './domain/login-throttle.js';
import { entities } from './entities/index.js';
import { migrations } from './migrations/index.js';
import { createSchema } from './schema/index.js';
import { createLoaders } from './schema/loaders.js';

export interface CustomerSubgraphOptions {
  log?: Logger;
  /** Extra MikroORM options, e.g. a query counter in tests. */
  orm?: Partial<Options>;
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
          readiness: { database: () => orm.em.fork().execute('select 1') },
          createContext: (base) => {
            const em = orm.em.fork();
            return { ...base, em, loaders: createLoaders(em), jwt, throttle };
          },
        },
        config.port,
      );
      stopServer = async () => {
        await server.close();
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
