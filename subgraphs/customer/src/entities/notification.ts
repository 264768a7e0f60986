import { CreatedAtEntity } from '@commerce-supergraph/shared/db/base-entities';
import { uuidv7 } from '@commerce-supergraph/shared/events/envelope';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, Property } from '@mikro-orm/decorators/legacy';
import { Field, ObjectType } from 'type-graphql';

/**
 * A message the platform sent a customer (order confirmed or rejected, payment receipt): stored
 * when the event arrives, then handed to the Notifier that mails it.
 */
@Entity({ tableName: 'notifications' })
@Index({ properties: ['customerId', 'createdAt'] })
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
}
