import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ObjectType, registerEnumType } from 'type-graphql';

export enum CustomerEventType {
  REGISTERED = 'REGISTERED',
  UPDATED = 'UPDATED',
  FINANCIAL_PROFILE_SET = 'FINANCIAL_PROFILE_SET',
  /** The account was deleted: with REGISTERED, all its history keeps (domain/deletion.ts). */
  DELETED = 'DELETED',
}
registerEnumType(CustomerEventType, { name: 'CustomerEventType' });

/** One entry of a customer's change history, written in the transaction of the change. */
@Entity({ tableName: 'customer_events' })
@Index({ properties: ['customerId', 'occurredAt'] })
@ObjectType({ description: 'A change to the customer record.' })
export class CustomerEvent {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  customerId!: string;

  @Enum({ items: () => CustomerEventType, nativeEnumName: 'customer_event_type' })
  @Field(() => CustomerEventType)
  type!: CustomerEventType;

  /** Names of the fields that changed (values are not copied: the history is not a second profile). */
  @Property({ type: 'text[]' })
  changedFields: string[] & Opt = [];

  @Property({ type: 'timestamptz' })
  @Field(() => Date)
  occurredAt: Date & Opt = new Date();
}
