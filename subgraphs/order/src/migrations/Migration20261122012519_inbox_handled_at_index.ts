import { Migration } from '@mikro-orm/migrations';

export class Migration20261122012519_inbox_handled_at_index extends Migration {

  override name = 'Migration20261122012519_inbox_handled_at_index';

  override up(): void | Promise<void> {
    this.addSql(`create index "inbox_messages_handled_at_index" on "inbox_messages" ("handled_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "inbox_messages_handled_at_index";`);
  }

}
