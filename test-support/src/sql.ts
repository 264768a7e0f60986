import { MikroORM } from '@mikro-orm/postgresql';
import { TEST_DATABASE_URL } from './database.js';

/**
 * Runs one statement against a test database from outside the service that owns it, for tests that
 * check what is really stored (e.g. reserved stock, which no API shows). One short connection per call.
 */
export async function querySql<T = Record<string, unknown>>(
  dbName: string,
  sql: string,
  params: unknown[] = [],
  url = TEST_DATABASE_URL,
): Promise<T[]> {
  const server = new URL(url);
  server.pathname = `/${dbName}`;
  const orm = await MikroORM.init({
    clientUrl: server.toString(),
    entities: [],
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
  });
  try {
    return await orm.em.getConnection().execute<T[]>(sql, params);
  } finally {
    await orm.close(true);
  }
}
