import { Migration } from '@mikro-orm/migrations';

export class Migration20261126100000_consumer_positions extends Migration {

  override name = 'Migration20261126100000_consumer_positions';

  override up(): void | Promise<void> {
    this.addSql(`create table "consumer_positions" ("consumer" text not null, "stream" text not null, "stream_created" text not null, "ack_floor" bigint not null, "updated_at" timestamptz not null default now(), primary key ("consumer"));`);

    this.addSql(`alter table "inbox_messages" add "stream_seq" bigint null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "consumer_positions" cascade;`);

    this.addSql(`alter table "inbox_messages" drop column "stream_seq";`);
  }

}
