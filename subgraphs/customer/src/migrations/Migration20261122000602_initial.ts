import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000602_initial extends Migration {

  override name = 'Migration20261122000602_initial';

  override up(): void | Promise<void> {
    this.addSql(`create type "customer_event_type" as enum ('REGISTERED', 'UPDATED', 'FINANCIAL_PROFILE_SET');`);
    this.addSql(`create type "employment_status" as enum ('EMPLOYED', 'SELF_EMPLOYED', 'UNEMPLOYED', 'RETIRED', 'STUDENT');`);
    this.addSql(`create table "customers" ("id" uuid not null, "name" text not null, "email" text not null, "password_hash" text not null, "phone" text null, "address" text null, "date_of_birth" date null, "national_id" text null, "roles" text[] not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "customers" add constraint "customers_email_unique" unique ("email");`);

    this.addSql(`create table "customer_events" ("id" uuid not null, "customer_id" uuid not null, "type" "customer_event_type" not null, "changed_fields" text[] not null, "occurred_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "customer_events_customer_id_occurred_at_index" on "customer_events" ("customer_id", "occurred_at");`);

    this.addSql(`create table "financial_profiles" ("customer_id" uuid not null, "annual_income" numeric(14,2) not null, "monthly_debts" numeric(14,2) not null, "total_assets" numeric(14,2) not null, "employment_status" "employment_status" not null, "updated_at" timestamptz not null, primary key ("customer_id"));`);

    this.addSql(`create table "login_failures" ("id" bigserial primary key, "key" text not null, "attempted_at" timestamptz not null);`);
    this.addSql(`create index "login_failures_key_attempted_at_index" on "login_failures" ("key", "attempted_at");`);
  }

}
