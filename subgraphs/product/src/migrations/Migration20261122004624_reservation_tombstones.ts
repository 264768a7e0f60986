import { Migration } from '@mikro-orm/migrations';

export class Migration20261122004624_reservation_tombstones extends Migration {

  override name = 'Migration20261122004624_reservation_tombstones';

  override up(): void | Promise<void> {
    this.addSql(`create table "reservation_tombstones" ("order_id" uuid not null, "released_at" timestamptz not null, primary key ("order_id"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "reservation_tombstones" cascade;`);
  }

}
