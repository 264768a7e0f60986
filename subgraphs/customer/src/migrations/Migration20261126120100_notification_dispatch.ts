import { Migration } from '@mikro-orm/migrations';

export class Migration20261126120100_notification_dispatch extends Migration {

  override name = 'Migration20261126120100_notification_dispatch';

  override up(): void | Promise<void> {
    this.addSql(`alter table "notifications" add "sent_at" timestamptz null, add "send_attempts" int not null default 0, add "next_attempt_at" timestamptz not null default now(), add "last_error" text null;`);
    // Notifications stored before this migration were sent in the transaction that stored them.
    this.addSql(`update "notifications" set "sent_at" = "created_at", "send_attempts" = 1;`);
    this.addSql(`create index "notifications_sent_at_next_attempt_at_index" on "notifications" ("sent_at", "next_attempt_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "notifications_sent_at_next_attempt_at_index";`);
    this.addSql(`alter table "notifications" drop column "sent_at", drop column "send_attempts", drop column "next_attempt_at", drop column "last_error";`);
  }

}
