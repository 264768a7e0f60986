import type { MigrationObject } from '@mikro-orm/core';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { type AnyEntity, type EntityClass, MikroORM, type Options } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { currentRequestId } from '../request-scope.js';

export type Orm = MikroORM;

export interface DatabaseOptions {
  /** Server URL, e.g. postgres://postgres@127.0.0.1:5432/postgres; its path is ignored. */
  url: string;
  /** This subgraph's own database, created when missing. */
  dbName: string;
  entities: EntityClass<AnyEntity>[];
  /** Committed migrations, listed explicitly so built and test runs load the same ones. */
  migrations: MigrationObject[];
  log: Logger;
  /** Extra MikroORM options (e.g. a query counter in tests). */
  overrides?: Partial<Options>;
}

/** Opens the subgraph's database: creates it when missing, then applies pending migrations. */
export async function openDatabase(options: DatabaseOptions): Promise<Orm> {
  const orm = await MikroORM.init(ormOptions(options));
  // MikroORM creates a missing database on first connect (ensureDatabase defaults to true).
  await orm.connect();
  const applied = await orm.migrator.up();
  if (applied.length > 0) options.log.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
  return orm;
}

export function ormOptions(options: DatabaseOptions): Options {
  const server = new URL(options.url);
  server.pathname = `/${options.dbName}`;
  return {
    clientUrl: server.toString(),
    entities: options.entities,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    // Listed explicitly (no globbing), without snapshot files: the committed migrations are the truth.
    migrations: {
      migrationsList: options.migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    // Entity and collection loads in one tick are batched into one query (entity references).
    dataloader: true,
    // Every request and message must fork its own EntityManager; the global one throws.
    allowGlobalContext: false,
    forceUtcTimezone: true,
    logger: (message: string) => options.log.debug({ component: 'orm', requestId: currentRequestId() }, message),
    ...options.overrides,
  };
}
