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
