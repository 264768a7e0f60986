import type { Opt, Ref } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, Int, ObjectType } from 'type-graphql';
import { CreditStatus } from './credit-status.js';

/** One change of a score, written in the transaction of the change. */
@Entity({ tableName: 'credit_score_changes' })
@Index({ properties: ['creditStatus', 'id'] })
@ObjectType({ description: 'One change of a credit score.' })
export class CreditScoreChange {
  /** A sequence: changes of one customer are serialised by a row lock, so its order is theirs. */
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => CreditStatus, { ref: true, fieldName: 'customer_id' })
  creditStatus!: Ref<CreditStatus>;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'The score after the change.' })
  score!: number;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'What was applied, after keeping the score within 300-850.' })
  delta!: number;

  @Property({ type: 'text' })
  @Field(() => String)
  reason!: string;

  @Property({ type: 'timestamptz' })
  @Field(() => Date)
  changedAt: Date & Opt = new Date();
}
