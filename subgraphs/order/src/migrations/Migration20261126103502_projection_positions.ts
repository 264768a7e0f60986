import { Migration } from '@mikro-orm/migrations';

export class Migration20261126103502_projection_positions extends Migration {

  override name = 'Migration20261126103502_projection_positions';

  override up(): void | Promise<void> {
    this.addSql(`create table "projection_positions" ("consumer" text not null, "stream_sequence" bigint not null, "updated_at" timestamptz not null default now(), primary key ("consumer"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "projection_positions" cascade;`);
  }

}
