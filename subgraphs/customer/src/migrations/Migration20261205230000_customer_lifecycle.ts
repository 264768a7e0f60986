import { Migration } from '@mikro-orm/migrations';

/**
 * The customer lifecycle (issue #13): the directory's order and trigram search indexes, password
 * reset tokens, the DELETED history entry, and throttle keys that hold an email's hash, not the email. pg_trgm ships with PostgreSQL (contrib) and is a
 * trusted extension, so the database owner may create it.
 */
export class Migration20261205230000_customer_lifecycle extends Migration {

  override name = 'Migration20261205230000_customer_lifecycle';

  override up(): void | Promise<void> {
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(`alter type "customer_event_type" add value if not exists 'DELETED';`);
    this.addSql(`create table "password_resets" ("id" uuid not null, "created_at" timestamptz not null, "customer_id" uuid not null, "token_hash" text not null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "password_resets_customer_id_index" on "password_resets" ("customer_id");`);
    this.addSql(`alter table "password_resets" add constraint "password_resets_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "customers_created_at_id_index" on "customers" ("created_at", "id");`);
    this.addSql(`create index "customers_name_trgm_index" on "customers" using gin (lower("name") gin_trgm_ops);`);
    this.addSql(`create index "customers_email_trgm_index" on "customers" using gin ("email" gin_trgm_ops);`);
    // Throttle keys name an email by its hash from now on (domain/throttle.ts): recorded attempts keep counting.
    this.addSql(`update "throttle_attempts" set "key" = 'email:' || encode(sha256(convert_to(substr("key", 7), 'UTF8')), 'hex') where "key" like 'email:%';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "customers_email_trgm_index";`);
    this.addSql(`drop index "customers_name_trgm_index";`);
    this.addSql(`drop index "customers_created_at_id_index";`);
    this.addSql(`drop table "password_resets";`);
    // An enum value cannot be dropped; DELETED stays, unused by the older code.
  }

}
