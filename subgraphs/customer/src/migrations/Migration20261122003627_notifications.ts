import { Migration } from '@mikro-orm/migrations';

export class Migration20261122003627_notifications extends Migration {

  override name = 'Migration20261122003627_notifications';

  override up(): void | Promise<void> {
    this.addSql(`create table "notifications" ("id" uuid not null, "customer_id" uuid not null, "subject" text not null, "body" text not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "notifications_customer_id_created_at_index" on "notifications" ("customer_id", "created_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "notifications" cascade;`);
  }

}
