import type { EntityManager } from '@mikro-orm/postgresql';

/** A statement with its `?` parameters, as `em.execute` takes them. */
export type Statement = readonly [sql: string, params?: readonly unknown[]];

/**
 * Runs the statements in order, as one message to PostgreSQL: one round trip instead of one
 * each, the same effects as sent apart. Answers the rows of the last; the others run for their
 * effect (a lock, typically). MikroORM inlines the parameters and sends plain text, where a message
 * may hold several statements, and the connection guard (pool-guard.ts) hands back the last result.
 *
 * Each statement still takes its own snapshot (READ COMMITTED), so a read after a lock sees what the
 * lock's last holder committed: `inOneTrip(tx, [lock, read])` is as safe as two round trips. A
 * statement that fails stops the ones after it, and the caller gets its error.
 */
export function inOneTrip<T extends object>(em: EntityManager, statements: readonly Statement[]): Promise<T[]> {
  const sql = statements.map(([text]) => text).join(';\n');
  const params = statements.flatMap(([, values = []]) => values);
  return em.execute<T[]>(sql, params);
}
