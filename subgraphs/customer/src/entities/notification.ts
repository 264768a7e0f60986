import { CreatedAtEntity } from '@commerce-supergraph/shared/db/base-entities';
import { DATABASE_NOW } from '@commerce-supergraph/shared/db/database-now';
import { uuidv7 } from '@commerce-supergraph/shared/events/envelope';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, Property } from '@mikro-orm/decorators/legacy';
import { Field, ObjectType } from 'type-graphql';

/**
 * A message the platform sent a customer (order confirmed or rejected, payment receipt): stored
 * when the event arrives, in the handler's transaction, then handed to the Notifier that mails it
 * once that transaction has committed (see domain/notification-dispatcher.ts).
 */
@Entity({ tableName: 'notifications' })
@Index({ properties: ['customerId', 'createdAt'] })
@Index({ properties: ['sentAt', 'nextAttemptAt'] })
@ObjectType({ description: 'A message the platform sent the customer.' })
export class Notification extends CreatedAtEntity {
  /** Time-ordered, so it breaks ties between notifications of the same millisecond in creation order. */
  override id: string = uuidv7();

  @Property({ type: 'uuid' })
  customerId!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  subject!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  body!: string;

  @Field(() => Date)
  declare createdAt: Date & Opt;

  /** When the Notifier took it; null while it is still to be sent. */
  @Property({ type: 'timestamptz', nullable: true })
  sentAt?: Date | null;

  /** Sends tried so far (a claim counts as one). */
  @Property({ type: 'integer', default: 0 })
  sendAttempts!: number & Opt;

  /** No dispatcher takes it before then: the lease of the one sending it, or the backoff after a failure. */
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  nextAttemptAt: Date & Opt = DATABASE_NOW;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  /**
   * The customer's address, read as the notification is stored (notifications.ts), so the
   * dispatcher mails it from memory after the commit. Not a column: the customer's row holds it.
   */
  @Property({ persist: false })
  to?: string;
}
