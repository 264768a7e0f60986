import { Migration } from '@mikro-orm/migrations';

/** The ids of deleted customers (issue #13): what keeps a late event from creating anything for them again. */
export class Migration20261205230000_deleted_customers extends Migration {

  override name = 'Migration20261205230000_deleted_customers';

  override up(): void | Promise<void> {
    this.addSql(`create table "deleted_customers" ("customer_id" uuid not null, "deleted_at" timestamptz not null, primary key ("customer_id"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table "deleted_customers";`);
  }

}
