import { Migration } from '@mikro-orm/migrations';

/**
 * `login_failures` becomes `throttle_attempts`: it now counts registrations per client too, and a
 * login's attempt is written before its password is checked (domain/throttle.ts). The rows keep their
 * keys (`email:`, `client:`), so failures recorded before still count.
 */
export class Migration20261126110000_throttle_attempts extends Migration {

  override name = 'Migration20261126110000_throttle_attempts';

  override up(): void | Promise<void> {
    this.addSql(`alter table "login_failures" rename to "throttle_attempts";`);
    this.addSql(`alter sequence "login_failures_id_seq" rename to "throttle_attempts_id_seq";`);
    this.addSql(`alter table "throttle_attempts" rename constraint "login_failures_pkey" to "throttle_attempts_pkey";`);
    this.addSql(`alter index "login_failures_key_attempted_at_index" rename to "throttle_attempts_key_attempted_at_index";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter index "throttle_attempts_key_attempted_at_index" rename to "login_failures_key_attempted_at_index";`);
    this.addSql(`alter table "throttle_attempts" rename constraint "throttle_attempts_pkey" to "login_failures_pkey";`);
    this.addSql(`alter sequence "throttle_attempts_id_seq" rename to "login_failures_id_seq";`);
    this.addSql(`alter table "throttle_attempts" rename to "login_failures";`);
  }

}
