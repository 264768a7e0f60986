import type { EntityDictionary, EntityName } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from './uuid.js';

/** Which rows to read: trusted, constant SQL fragments of the calling module, never input. */
export interface RowsByUuid {
  table: string;
  /** The entity's columns (lazy ones left out, as `em.find` leaves them out). */
  columns: string;
  /** The uuid column the ids are matched against. */
  key: string;
  orderBy?: string;
}

/**
 * The hot reads of a request (issue #10: what every Dashboard reads) by hand-written SQL: `em.find`
 * spent most of its time building the query (createQueryBuilderFromOptions, processWhere, toQuery),
 * not in PostgreSQL. The statement runs through the request's EntityManager (its connection and
 * transaction, its logging), and `em.map` makes managed entities of the rows exactly as `em.find`
 * would, relations as references. Ids that cannot be uuids match nothing, without a query.
 */
export async function entitiesByUuid<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  read: RowsByUuid,
  ids: readonly string[],
): Promise<T[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  const order = read.orderBy ? ` order by ${read.orderBy}` : '';
  // MikroORM inlines an array parameter as a comma list: hence `array[?]`.
  const rows: Record<string, unknown>[] = await em.execute(
    `select ${read.columns} from ${read.table} where ${read.key} = any(array[?]::uuid[])${order}`,
    [valid],
  );
  return rows.map((row) => em.map(entity, row as EntityDictionary<T>));
}
