import { entities as creditStatusEntities } from '@commerce-supergraph/credit-status/entities/index';
import { migrations as creditStatusMigrations } from '@commerce-supergraph/credit-status/migrations/index';
import { entities as customerEntities } from '@commerce-supergraph/customer/entities/index';
import { migrations as customerMigrations } from '@commerce-supergraph/customer/migrations/index';
import { entities as orderEntities } from '@commerce-supergraph/order/entities/index';
import { migrations as orderMigrations } from '@commerce-supergraph/order/migrations/index';
import { entities as productEntities } from '@commerce-supergraph/product/entities/index';
import { migrations as productMigrations } from '@commerce-supergraph/product/migrations/index';
import { type DatabaseOptions, openDatabase } from '@commerce-supergraph/shared/db/orm';
import { eventTablesMigration } from '@commerce-supergraph/shared/events/tables';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { dropDatabase, TEST_DATABASE_URL, testDatabaseName } from '@commerce-supergraph/test-support/database';
import { unmigratedSchemaChanges } from '@commerce-supergraph/test-support/migrations';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { Migration } from '@mikro-orm/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every subgraph's migrations on a new database, and on a database migrated before the outbox and
 * inbox tables were shared (shared/src/events/tables.ts): both start, and end with the same schema.
 */

type MigrationObject = DatabaseOptions['migrations'][number];

/** The event tables as each subgraph's own migrations made them before (not `if not exists`). */
const OLD_EVENT_TABLES_SQL = [
  `create table "inbox_messages" ("consumer" text not null, "event_id" uuid not null, "subject" text not null, "handled_at" timestamptz not null default now(), primary key ("consumer", "event_id"));`,
  `create table "outbox_messages" ("id" uuid not null, "subject" text not null, "payload" jsonb not null, "created_at" timestamptz not null default now(), "published_at" timestamptz null, "attempts" int not null default 0, "next_attempt_at" timestamptz not null default now(), "last_error" text null, primary key ("id"));`,
  `create index "outbox_messages_published_at_created_at_index" on "outbox_messages" ("published_at", "created_at");`,
];
const OLD_HANDLED_AT_INDEX_SQL = `create index "inbox_messages_handled_at_index" on "inbox_messages" ("handled_at");`;

/** Each subgraph, with the names of the migrations that made its event tables and their index before. */
const subgraphs = [
  {
    name: 'customer',
    entities: customerEntities,
    migrations: customerMigrations,
    // A migration of its own, between the initial and the notifications migration.
    oldTables: 'Migration20261122002327_events',
    oldIndex: 'Migration20261122012519_inbox_handled_at_index',
  },
  {
    name: 'product',
    entities: productEntities,
    migrations: productMigrations,
    oldTables: 'Migration20261122002459_initial',
    oldIndex: 'Migration20261122012519_inbox_handled_at_index',
  },
  {
    name: 'order',
    entities: orderEntities,
    migrations: orderMigrations,
    oldTables: 'Migration20261122004557_initial',
    oldIndex: 'Migration20261122012519_inbox_handled_at_index',
  },
  {
    name: 'credit-status',
    entities: creditStatusEntities,
    migrations: creditStatusMigrations,
    oldTables: 'Migration20261122003525_initial',
    oldIndex: 'Migration20261122012520_inbox_handled_at_index',
  },
];
type Subgraph = (typeof subgraphs)[number];

class EmptyMigration extends Migration {
  override up(): void {}
}

/** A migration of the old set under its old name: `base` (a current migration, or nothing), then `sql`. */
function oldMigration(name: string, sql: string[], base: MigrationObject['class'] = EmptyMigration): MigrationObject {
  const Base = base as typeof EmptyMigration;
  class Old extends Base {
    override async up(): Promise<void> {
      await super.up();
      for (const statement of sql) this.addSql(statement);
    }
  }
  return { name, class: Old };
}

/**
 * The migrations as they were before the event tables were shared: the subgraph's own migrations
 * (their names and everything else they make are unchanged), with the event tables in `oldTables`
 * and, unless the database predates it, the handled_at index in `oldIndex`.
 */
function oldMigrations(subgraph: Subgraph, { withIndex }: { withIndex: boolean }): MigrationObject[] {
  const own = subgraph.migrations.filter((migration) => migration !== eventTablesMigration);
  const list = own.map((migration) =>
    migration.name === subgraph.oldTables
      ? oldMigration(migration.name, OLD_EVENT_TABLES_SQL, migration.class)
      : migration,
  );
  if (!list.some((migration) => migration.name === subgraph.oldTables)) {
    list.push(oldMigration(subgraph.oldTables, OLD_EVENT_TABLES_SQL));
  }
  if (withIndex) list.push(oldMigration(subgraph.oldIndex, [OLD_HANDLED_AT_INDEX_SQL]));
  return list.sort((a, b) => a.name.localeCompare(b.name));
}

/** Opens the database as a starting subgraph does (migrating it) and returns the migrations it has recorded. */
async function start(subgraph: Subgraph, dbName: string, migrations = subgraph.migrations): Promise<string[]> {
  const orm = await openDatabase({
    url: TEST_DATABASE_URL,
    dbName,
    entities: subgraph.entities,
    migrations,
    log: createLogger('migrations-test'),
  });
  await orm.close(true);
  const rows = await querySql<{ name: string }>(dbName, 'select name from mikro_orm_migrations order by id');
  return rows.map((row) => row.name);
}

/** Everything migrations make, a sorted line each (not MikroORM's own table), to compare two databases. */
async function schemaOf(dbName: string): Promise<string[]> {
  const rows = await querySql<{ line: string }>(
    dbName,
    `select format('column %s.%s #%s %s %s default %s', table_name, column_name, ordinal_position, udt_name,
                   is_nullable, column_default) as line
       from information_schema.columns where table_schema = 'public' and table_name <> 'mikro_orm_migrations'
     union all
     select format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
       from pg_constraint where connamespace = 'public'::regnamespace and conrelid <> 'mikro_orm_migrations'::regclass
     union all
     select format('index %s', indexdef) from pg_indexes
      where schemaname = 'public' and tablename <> 'mikro_orm_migrations'
     union all
     select format('sequence %s %s', sequence_name, data_type) from information_schema.sequences
      where sequence_schema = 'public' and sequence_name <> 'mikro_orm_migrations_id_seq'
     union all
     select format('enum %s (%s)', t.typname, string_agg(e.enumlabel, ', ' order by e.enumsortorder))
       from pg_type t join pg_enum e on e.enumtypid = t.oid group by t.typname
     union all
     select format('extension %s', extname) from pg_extension
     order by 1`,
  );
  return rows.map((row) => row.line);
}

describe.each(subgraphs)('$name migrations', (subgraph) => {
  const fresh = testDatabaseName(`${subgraph.name.replace('-', '_')}_new`);
  const databases = [fresh];
  let freshRecorded: string[];
  beforeAll(async () => {
    freshRecorded = await start(subgraph, fresh);
  });
  afterAll(async () => {
    for (const dbName of databases) await dropDatabase(dbName);
  });

  it('give a new database exactly the schema the entities describe, event tables included', async () => {
    expect(freshRecorded).toEqual(subgraph.migrations.map((migration) => migration.name));
    const { entities, migrations } = subgraph;
    expect(await unmigratedSchemaChanges({ url: TEST_DATABASE_URL, dbName: fresh, entities, migrations })).toBe('');
  });

  it.each([
    { when: 'before the event tables were shared', withIndex: true },
    { when: 'before the inbox handled_at index', withIndex: false },
  ])('bring a database migrated $when to the same schema', async ({ withIndex }) => {
    const old = testDatabaseName(`${subgraph.name.replace('-', '_')}_old`);
    databases.push(old);
    const oldSet = oldMigrations(subgraph, { withIndex });
    expect(await start(subgraph, old, oldSet)).toEqual(oldSet.map((migration) => migration.name));
    const oldSchema = await schemaOf(old);

    // Only the shared migration runs, and it makes nothing but what the database lacked.
    expect(await start(subgraph, old)).toEqual([
      ...oldSet.map((migration) => migration.name),
      eventTablesMigration.name,
    ]);
    const schema = await schemaOf(old);
    expect(schema).toEqual(await schemaOf(fresh));
    const added = schema.filter((line) => !oldSchema.includes(line));
    expect(added).toEqual(withIndex ? [] : [expect.stringContaining('inbox_messages_handled_at_index')]);
  });
});
