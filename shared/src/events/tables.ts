import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { InboxMessage } from './inbox.js';
import { OutboxMessage } from './outbox.js';

/**
 * The outbox and the inbox live in every subgraph's own database, so an event commits with the change
 * it reports and a handled event with its effects. Each subgraph lists these entities with its own and
 * eventTablesMigration after its own migrations: the tables are defined here once.
 */
export const eventEntities = [OutboxMessage, InboxMessage];

/**
 * Creates the outbox and inbox tables with their indexes, exactly as the entities above describe them.
 *
 * It replaced a copy in each subgraph (inside customer's `…_events` and the other three's `…_initial`
 * migration, plus four `…_inbox_handled_at_index` migrations). A database migrated before it has run
 * those, and MikroORM records only names: it runs every listed migration whose name it has not
 * recorded, and ignores recorded names that are no longer listed. So this migration runs once in every
 * database, old or new, and must leave both in the same state:
 * - every statement is `if not exists`: in an old database the tables and indexes are all there and
 *   it changes nothing; in a new one it creates them (the migration-matches-entities tests and
 *   e2e/migrations.int.test.ts check both ends);
 * - its name is dated after every migration any database ran before it, and each subgraph lists it
 *   after those, so in old and new databases alike the migrations table reads in the order they ran.
 *   Nothing in a subgraph's migrations refers to these tables, so creating them last is safe.
 */
export class Migration20261126101500_event_tables extends Migration {
  override name = 'Migration20261126101500_event_tables';

  override up(): void {
    this.addSql(
      `create table if not exists "inbox_messages" ("consumer" text not null, "event_id" uuid not null, "subject" text not null, "handled_at" timestamptz not null default now(), primary key ("consumer", "event_id"));`,
    );
    this.addSql(`create index if not exists "inbox_messages_handled_at_index" on "inbox_messages" ("handled_at");`);

    this.addSql(
      `create table if not exists "outbox_messages" ("id" uuid not null, "subject" text not null, "payload" jsonb not null, "created_at" timestamptz not null default now(), "published_at" timestamptz null, "attempts" int not null default 0, "next_attempt_at" timestamptz not null default now(), "last_error" text null, primary key ("id"));`,
    );
    this.addSql(
      `create index if not exists "outbox_messages_published_at_created_at_index" on "outbox_messages" ("published_at", "created_at");`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "inbox_messages" cascade;`);
    this.addSql(`drop table if exists "outbox_messages" cascade;`);
  }
}

export const eventTablesMigration: MigrationObject = {
  name: 'Migration20261126101500_event_tables',
  class: Migration20261126101500_event_tables,
};
