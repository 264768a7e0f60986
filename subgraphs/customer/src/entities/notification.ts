import { uuidv7 } from '@commerce-supergraph/shared/events/envelope';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType } from 'type-graphql';

/**
 * A message the platform sent a customer (order confirmed or rejected, payment receipt): stored
 * when the event arrives, then handed to the Notifier that mails it.
 */
@Entity({ tableName: 'notifications' })
@Index({ properties: ['customerId', 'createdAt'] })
@ObjectType({ description: 'A message the platform sent the customer.' })
export class Notification {
  /** Time-ordered, so it breaks ties between notifications of the same millisecond in creation order. */
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = uuidv7();

  @Property({ type: 'uuid' })
  customerId!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  subject!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  body!: string;

  @Property({ type: 'timestamptz' })
  @Field(() => Date)
  createdAt: Date & Opt = new Date();
}
