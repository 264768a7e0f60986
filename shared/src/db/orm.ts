import { setTimeout as sleep } from 'node:timers/promises';
import type { MigrationObject } from '@mikro-orm/core';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { type AnyEntity, type EntityClass, MikroORM, type Options, PostgreSqlPlatform } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { currentRequestId } from '../request-scope.js';
import { withDeadline } from '../time.js';
import { guardPool, isGuarded } from './pool-guard.js';
import { isDatabaseBusy, isDatabaseUnavailable } from './unavailable.js';

export type Orm = MikroORM;

/** Every wait on PostgreSQL has one of these deadlines (see docs/operations.md, "Deadlines"). */
export interface DatabaseTimeouts {
  /** Waiting for a pooled connection, including opening a new one. */
  acquireMs: number;
  /** One statement, enforced by the server (statement_timeout); the client gives up 5 s after it. */
  statementMs: number;
  /** How long start-up keeps trying to reach the database before the service gives up. */
  startupMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { acquireMs: 5_000, statementMs: 30_000, startupMs: 60_000 };

/** How long after the server's statement_timeout the client stops waiting for an answer. */
const CLIENT_GRACE_MS = 5_000;

export interface DatabaseOptions {
  /** Server URL, e.g. postgres://postgres@127.0.0.1:5432/postgres; its path is ignored. */
  url: string;
  /** This subgraph's own database, created when missing. */
  dbName: string;
  entities: EntityClass<AnyEntity>[];
  /** Committed migrations, listed explicitly so built and test runs load the same ones. */
  migrations: MigrationObject[];
  log: Logger;
  timeouts?: Partial<DatabaseTimeouts>;
  /** Connections in the pool. Default 10. */
  poolMax?: number;
  /** A transaction's begin and MikroORM's plain inserts go out with the next statement (held-statements.ts). Default true; false only to measure it (bench:db). */
  holdStatements?: boolean;
  /** Extra MikroORM options (e.g. a query counter in tests). */
  overrides?: Partial<Options>;
}

/** MikroORM's own mapping of PostgreSQL errors to its exceptions (UniqueConstraintViolationException, ...). */
const errorConverter = new PostgreSqlPlatform().getExceptionConverter();

/**
 * Opens the subgraph's database: creates it when missing, then applies pending migrations. While the
 * database cannot be reached (not started yet, restarting, "the database system is starting up"),
 * it tries again until `timeouts.startupMs` has passed; any other failure ends start-up at once.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Orm> {
  const { startupMs } = { ...DEFAULT_DATABASE_TIMEOUTS, ...options.timeouts };
  const deadline = Date.now() + startupMs;
  for (let attempt = 1; ; attempt++) {
    const orm = await MikroORM.init(ormOptions(options));
    try {
      // MikroORM creates a missing database on first connect (ensureDatabase defaults to true).
      await orm.connect();
      const pool = await orm.em.getConnection().getNativeClient();
      if (!isGuarded(pool))
        throw new Error('the database pool is not guarded (MikroORM no longer calls onPoolCreated)');
      const applied = await orm.migrator.up();
      if (applied.length > 0) options.log.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
      if (attempt > 1) options.log.info({ attempt }, 'database reachable');
      return orm;
    } catch (error) {
      await closeDatabase(orm, options.log);
      if (!(isDatabaseUnavailable(error) || isDatabaseBusy(error)) || Date.now() >= deadline) throw error;
      if (attempt === 1) options.log.warn({ err: error }, 'database unreachable; retrying until it answers');
      await sleep(Math.min(250 * 2 ** (attempt - 1), 2_000, Math.max(0, deadline - Date.now())));
    }
  }
}

/** Closes the pool, waiting at most `ms` for connections still in use; never throws. */
export async function closeDatabase(orm: Orm, log: Logger, ms = 5_000): Promise<void> {
  const closed = await withDeadline(orm.close(true), ms).catch((error: unknown) => {
    log.warn({ err: error }, 'closing the database pool failed');
    return true;
  });
  if (!closed) log.warn({ waitedMs: ms }, 'database pool did not close in time; left behind');
}

export function ormOptions(options: DatabaseOptions): Options {
  const timeouts = { ...DEFAULT_DATABASE_TIMEOUTS, ...options.timeouts };
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
    pool: { min: 0, max: options.poolMax ?? 10 },
    // Passed to `pg`'s pool and to each of its clients: no wait on PostgreSQL without a deadline.
    driverOptions: {
      // Waiting for a free connection, and opening one (TCP and start-up), each end with an error.
      connectionTimeoutMillis: timeouts.acquireMs,
      // The server cancels a statement that runs longer; the lease cuts one the server never answers.
      statement_timeout: timeouts.statementMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      onPoolCreated: (pool: Parameters<typeof guardPool>[0]) =>
        guardPool(pool, {
          queryDeadlineMs: timeouts.statementMs + CLIENT_GRACE_MS,
          log: options.log,
          holdStatements: options.holdStatements ?? true,
          convertError: (error: Error) => errorConverter.convertException(error),
        }),
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
