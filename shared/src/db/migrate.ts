import type { MigrationObject } from '@mikro-orm/core';
import type { AnyEntity, EntityClass } from '@mikro-orm/postgresql';
import { ConfigError } from '../config.js';
import { createLogger } from '../logging.js';
import type { SubgraphConfig } from '../service-config.js';
import { closeDatabase, openDatabase } from './orm.js';

export interface MigrationSet {
  entities: EntityClass<AnyEntity>[];
  migrations: MigrationObject[];
}

/**
 * Creates the subgraph's database when missing and applies its pending migrations, as start-up
 * does, then stops: what a Kubernetes migration Job runs once before a rollout, so replicas that
 * start together never race to migrate. Returns the names applied (none when up to date).
 */
export async function migrate(name: string, set: MigrationSet, config: SubgraphConfig): Promise<string[]> {
  const log = createLogger(name).child({ component: 'migrate' });
  const orm = await openDatabase({
    url: config.databaseUrl,
    dbName: config.dbName,
    ...set,
    log,
    timeouts: config.runtime.database,
    poolMax: 1,
  });
  try {
    const executed = await orm.migrator.getExecuted();
    log.info({ dbName: config.dbName, migrations: executed.length }, 'database migrated');
    return executed.map((migration) => migration.name);
  } finally {
    await closeDatabase(orm, log);
  }
}

/** The migration entry point of a subgraph (`node subgraphs/<name>/dist/migrate.js`): exit 0 once migrated. */
export async function runMigrations(name: string, set: MigrationSet, readConfig: () => SubgraphConfig): Promise<void> {
  try {
    await migrate(name, set, readConfig());
  } catch (error) {
    if (error instanceof ConfigError) console.error(`${name}: ${error.message}`);
    else createLogger(name).fatal({ err: error }, 'migration failed');
    process.exitCode = 1;
  }
}
