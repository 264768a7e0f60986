import { Migration } from '@mikro-orm/migrations';

export class Migration20261122004557_initial extends Migration {

  override name = 'Migration20261122004557_initial';

  override up(): void | Promise<void> {
    this.addSql(`create type "order_status" as enum ('PENDING', 'CONFIRMED', 'REJECTED', 'PAID', 'CANCELLED');`);
    this.addSql(`create type "cancellation_reason" as enum ('CUSTOMER', 'EXPIRED');`);
    this.addSql(`create type "payment_status" as enum ('SUCCEEDED', 'FAILED');`);
    this.addSql(`create table "database_identity" ("id" uuid not null, "created_at" timestamptz not null default now(), primary key ("id"));`);
    // This database's identity, made once: the price projection's consumer is named after it, so a new
    // database replays the CATALOG stream from the start (see events/catalog-projection.ts).
    this.addSql(`insert into "database_identity" ("id") values (gen_random_uuid());`);

    this.addSql(`create table "orders" ("id" uuid not null, "customer_id" uuid not null, "status" "order_status" not null default 'PENDING', "total_amount" numeric(18,2) not null, "currency" text not null, "rejection_reason" text null, "cancellation_reason" "cancellation_reason" null, "idempotency_key" text null, "version" int not null default 1, "created_at" timestamptz not null, "confirmed_at" timestamptz null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "orders_confirmed_at_unpaid_index" on "orders" ("confirmed_at") where status = 'CONFIRMED';`);
    this.addSql(`create index "orders_customer_id_created_at_id_index" on "orders" ("customer_id", "created_at", "id");`);
    this.addSql(`create unique index "orders_customer_id_idempotency_key_unique" on "orders" ("customer_id", "idempotency_key") where idempotency_key is not null;`);
    this.addSql(`alter table "orders" add constraint "orders_cancellation_check" check ((status = 'CANCELLED') = (cancellation_reason is not null));`);
    this.addSql(`alter table "orders" add constraint "orders_rejection_check" check ((status = 'REJECTED') = (rejection_reason is not null));`);
    this.addSql(`alter table "orders" add constraint "orders_total_check" check (total_amount >= 0);`);

    this.addSql(`create table "order_items" ("id" uuid not null, "order_id" uuid not null, "position" int not null, "product_id" uuid not null, "product_name" text not null, "quantity" int not null, "unit_price_amount" numeric(14,2) not null, "line_total_amount" numeric(16,2) not null, "currency" text not null, primary key ("id"));`);
    this.addSql(`alter table "order_items" add constraint "order_items_order_id_product_id_unique" unique ("order_id", "product_id");`);
    this.addSql(`alter table "order_items" add constraint "order_items_quantity_check" check (quantity >= 1 and quantity <= 100);`);

    this.addSql(`create table "payments" ("id" uuid not null, "order_id" uuid not null, "amount" numeric(18,2) not null, "currency" text not null, "status" "payment_status" not null, "failure_reason" text null, "provider_reference" text null, "idempotency_key" text null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "payments_order_id_created_at_index" on "payments" ("order_id", "created_at");`);
    this.addSql(`create unique index "payments_order_id_idempotency_key_unique" on "payments" ("order_id", "idempotency_key") where idempotency_key is not null;`);
    this.addSql(`create unique index "payments_one_success_per_order" on "payments" ("order_id") where status = 'SUCCEEDED';`);

    this.addSql(`create table "product_prices" ("product_id" uuid not null, "sku" text not null, "name" text not null, "price" numeric(14,2) not null, "currency" text not null, "active" boolean not null, "source_occurred_at" timestamptz not null, "source_event_id" uuid not null, "updated_at" timestamptz not null default now(), primary key ("product_id"));`);

    this.addSql(`alter table "order_items" add constraint "order_items_order_id_foreign" foreign key ("order_id") references "orders" ("id") on delete cascade;`);

    this.addSql(`alter table "payments" add constraint "payments_order_id_foreign" foreign key ("order_id") references "orders" ("id");`);
  }

}
