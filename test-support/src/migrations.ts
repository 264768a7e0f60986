import { type DatabaseOptions, ormOptions } from '@commerce-supergraph/shared/db/orm';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { MikroORM } from '@mikro-orm/postgresql';

/**
 * The SQL that would still be needed to bring a migrated database in line with the entities: empty
 * when the committed migrations describe the entities exactly. Tests assert it is '' so an entity
 * change without its migration fails CI.
 */
export async function unmigratedSchemaChanges(database: Omit<DatabaseOptions, 'log'>): Promise<string> {
  const orm = await MikroORM.init(ormOptions({ ...database, log: createLogger('migration-check') }));
  try {
    return (await orm.schema.getUpdateSchemaSQL({ wrap: false })).trim();
  } finally {
    await orm.close();
  }
}
