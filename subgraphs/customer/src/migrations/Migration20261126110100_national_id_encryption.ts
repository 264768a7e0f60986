import { Migration } from '@mikro-orm/migrations';

/**
 * `customers.national_id` becomes jsonb, to hold the AES-256-GCM envelope of domain/national-id.ts.
 * SQL cannot encrypt with the configured key, so a value stored before becomes `{"plaintext": ...}`
 * here, and the customer subgraph seals every such value at start-up (`sealStoredNationalIds`),
 * before it serves a request. There is no way down: the column would have to be decrypted first.
 */
export class Migration20261126110100_national_id_encryption extends Migration {

  override name = 'Migration20261126110100_national_id_encryption';

  override up(): void | Promise<void> {
    this.addSql(`alter table "customers" alter column "national_id" type jsonb using case when "national_id" is null then null else jsonb_build_object('plaintext', "national_id") end;`);
  }

}
