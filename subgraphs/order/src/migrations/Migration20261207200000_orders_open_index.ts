import { Migration } from '@mikro-orm/migrations';

export class Migration20261207200000_orders_open_index extends Migration {

  override name = 'Migration20261207200000_orders_open_index';

  override up(): void | Promise<void> {
    this.addSql(`create index "orders_customer_id_open_index" on "orders" ("customer_id") where status in ('PENDING', 'CONFIRMED');`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "orders_customer_id_open_index";`);
  }

}
