import { Migration } from '@mikro-orm/migrations';

export class Migration20261122003525_initial extends Migration {

  override name = 'Migration20261122003525_initial';

  override up(): void | Promise<void> {
    this.addSql(`create table "credit_statuses" ("customer_id" uuid not null, "score" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("customer_id"));`);
    this.addSql(`alter table "credit_statuses" add constraint "credit_statuses_score_check" check (score >= 300 and score <= 850);`);

    this.addSql(`create table "credit_score_changes" ("id" bigserial primary key, "customer_id" uuid not null, "score" int not null, "delta" int not null, "reason" text not null, "changed_at" timestamptz not null);`);
    this.addSql(`create index "credit_score_changes_customer_id_id_index" on "credit_score_changes" ("customer_id", "id");`);

    this.addSql(`alter table "credit_score_changes" add constraint "credit_score_changes_customer_id_foreign" foreign key ("customer_id") references "credit_statuses" ("customer_id");`);
  }

}
