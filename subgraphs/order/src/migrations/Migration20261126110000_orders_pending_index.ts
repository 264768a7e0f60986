import { Migration } from '@mikro-orm/migrations';

export class Migration20261126110000_orders_pending_index extends Migration {

  override name = 'Migration20261126110000_orders_pending_index';

  override up(): void | Promise<void> {
    this.addSql(`create index "orders_created_at_pending_index" on "orders" ("created_at") where status = 'PENDING';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "orders_created_at_pending_index";`);
  }

}
