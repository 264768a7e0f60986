import { type DatabaseOptions, type Orm, openDatabase } from '@commerce-supergraph/shared/db/orm';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { MikroORM } from '@mikro-orm/postgresql';
import { uniqueName } from './names.js';

export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database name of its own for one test file; drop it with dropDatabase when done. */
export const testDatabaseName = (prefix: string): string => uniqueName(prefix);

/** Drops a test database, closing any connection a crashed server left behind. */
export async function dropDatabase(dbName: string, url = TEST_DATABASE_URL): Promise<void> {
  const admin = await MikroORM.init({
    clientUrl: url,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
  });
  try {
    await admin.em.getConnection().execute(`drop database if exists "${dbName}" with (force)`);
  } finally {
    await admin.close(true);
  }
}

export interface TestDatabase {
  orm: Orm;
  dbName: string;
  /** Another ORM with a pool of its own on the same database: what a second instance has. */
  openAnother(): Promise<Orm>;
  dispose(): Promise<void>;
}

/**
 * A migrated database of its own, without a server: for domain tests. Pools are large enough that
 * concurrent calls really run at once instead of queueing for a connection.
 */
export async function openTestDatabase(
  database: Pick<DatabaseOptions, 'dbName' | 'entities' | 'migrations'>,
): Promise<TestDatabase> {
  const open = () =>
    openDatabase({
      ...database,
      url: TEST_DATABASE_URL,
      log: createLogger('test'),
      overrides: { pool: { min: 0, max: 25 } },
    });
  const orm = await open();
  const others: Orm[] = [];
  return {
    orm,
    dbName: database.dbName,
    async openAnother() {
      const other = await open();
      others.push(other);
      return other;
    },
    async dispose() {
      for (const other of others) await other.close(true);
      await orm.close(true);
      await dropDatabase(database.dbName);
    },
  };
}
