import { Migration } from '@mikro-orm/migrations';

export class Migration20261122002459_initial extends Migration {

  override name = 'Migration20261122002459_initial';

  override up(): void | Promise<void> {
    // Trigram indexes serve the case-insensitive substring search on name and sku. pg_trgm ships with
    // PostgreSQL (contrib) and is a trusted extension: the database owner may create it.
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(`create type "reservation_status" as enum ('RESERVED', 'RELEASED', 'SOLD');`);
    this.addSql(`create table "brands" ("id" uuid not null, "name" text not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create unique index "brands_name_lower_unique" on "brands" (lower("name"));`);

    this.addSql(`create table "categories" ("id" uuid not null, "name" text not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create unique index "categories_name_lower_unique" on "categories" (lower("name"));`);

    this.addSql(`create table "products" ("id" uuid not null, "sku" text not null, "name" text not null, "description" text null, "price_amount" numeric(14,2) not null, "currency_code" text not null default 'USD', "image_url" text null, "active" boolean not null default true, "brand_id" uuid null, "category_id" uuid null, "on_hand" int not null default 0, "reserved" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "products_sku_trgm_index" on "products" using gin ("sku" gin_trgm_ops);`);
    this.addSql(`create index "products_name_trgm_index" on "products" using gin ("name" gin_trgm_ops);`);
    this.addSql(`create index "products_in_stock_name_id_index" on "products" ("name", "id") where on_hand > reserved;`);
    this.addSql(`create index "products_category_id_name_id_index" on "products" ("category_id", "name", "id");`);
    this.addSql(`create index "products_brand_id_name_id_index" on "products" ("brand_id", "name", "id");`);
    this.addSql(`create index "products_name_id_index" on "products" ("name", "id");`);
    this.addSql(`create unique index "products_sku_lower_unique" on "products" (lower("sku"));`);
    this.addSql(`alter table "products" add constraint "products_price_check" check (price_amount > 0);`);
    this.addSql(`alter table "products" add constraint "products_stock_check" check (reserved >= 0 and reserved <= on_hand);`);

    this.addSql(`create table "reservations" ("id" uuid not null, "order_id" uuid not null, "product_id" uuid not null, "quantity" int not null, "status" "reservation_status" not null default 'RESERVED', "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "reservations" add constraint "reservations_order_id_product_id_unique" unique ("order_id", "product_id");`);
    this.addSql(`alter table "reservations" add constraint "reservations_quantity_check" check (quantity > 0);`);

    this.addSql(`create table "reservation_rejections" ("order_id" uuid not null, "short_lines" jsonb not null, "rejected_at" timestamptz not null, primary key ("order_id"));`);

    this.addSql(`alter table "products" add constraint "products_brand_id_foreign" foreign key ("brand_id") references "brands" ("id") on delete set null;`);
    this.addSql(`alter table "products" add constraint "products_category_id_foreign" foreign key ("category_id") references "categories" ("id") on delete set null;`);

    this.addSql(`alter table "reservations" add constraint "reservations_product_id_foreign" foreign key ("product_id") references "products" ("id");`);
  }

}
