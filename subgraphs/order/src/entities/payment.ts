import { CreatedAtEntity } from '@commerce-supergraph/shared/db/base-entities';
import { Money, money } from '@commerce-supergraph/shared/graphql/money';
import type { Opt, Ref } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Order } from './order.js';

export enum PaymentStatus {
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

registerEnumType(PaymentStatus, { name: 'PaymentStatus' });

/**
 * One charge attempt for an order. A declined attempt stays on record (FAILED, with its reason);
 * an attempt with an invalid token never reaches this table.
 */
@Entity({ tableName: 'payments' })
// Never two successful charges for one order, whatever runs concurrently: the database says no.
@Unique({ name: 'payments_one_success_per_order', properties: ['order'], where: "status = 'SUCCEEDED'" })
@Unique({
  name: 'payments_order_id_idempotency_key_unique',
  properties: ['order', 'idempotencyKey'],
  where: 'idempotency_key is not null',
})
@Index({ name: 'payments_order_id_created_at_index', properties: ['order', 'createdAt'] })
@ObjectType({ description: 'A charge attempt for an order.' })
export class Payment extends CreatedAtEntity {
  @ManyToOne(() => Order, { ref: true })
  order!: Ref<Order>;

  @Property({ type: 'decimal', precision: 18, scale: 2, fieldName: 'amount' })
  amountValue!: string;

  @Property({ type: 'text' })
  currency!: string;

  @Enum({ items: () => PaymentStatus, nativeEnumName: 'payment_status' })
  @Field(() => PaymentStatus)
  status!: PaymentStatus;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the charge failed, for a FAILED payment.' })
  failureReason?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: "The payment provider's reference of the charge." })
  providerReference?: string | null;

  @Property({ type: 'text', nullable: true })
  idempotencyKey?: string | null;

  @Field(() => Date)
  declare createdAt: Date & Opt;

  @Field(() => Money)
  get amount(): Money & Opt {
    return money(this.amountValue, this.currency);
  }
}
