import { Migration } from '@mikro-orm/migrations';

export class Migration20261122002327_events extends Migration {

  override name = 'Migration20261122002327_events';

  override up(): void | Promise<void> {
    this.addSql(`create table "inbox_messages" ("consumer" text not null, "event_id" uuid not null, "subject" text not null, "handled_at" timestamptz not null default now(), primary key ("consumer", "event_id"));`);

    this.addSql(`create table "outbox_messages" ("id" uuid not null, "subject" text not null, "payload" jsonb not null, "created_at" timestamptz not null default now(), "published_at" timestamptz null, "attempts" int not null default 0, "next_attempt_at" timestamptz not null default now(), "last_error" text null, primary key ("id"));`);
    this.addSql(`create index "outbox_messages_published_at_created_at_index" on "outbox_messages" ("published_at", "created_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "inbox_messages" cascade;`);
    this.addSql(`drop table if exists "outbox_messages" cascade;`);
  }

}
