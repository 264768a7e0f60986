import { CreatedAtEntity } from '@commerce-supergraph/shared/db/base-entities';
import { Entity, Index, Property, Unique } from '@mikro-orm/decorators/legacy';

/**
 * A password reset token, as its SHA-256 hash only: the token itself exists in the message sent to
 * the customer and nowhere else, so a copy of this table opens no account. Single use (`usedAt`),
 * and void after `expiresAt`.
 */
@Entity({ tableName: 'password_resets' })
@Index({ properties: ['customerId'] })
export class PasswordReset extends CreatedAtEntity {
  @Property({ type: 'uuid' })
  customerId!: string;

  @Property({ type: 'text' })
  @Unique()
  tokenHash!: string;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date | null;
}
