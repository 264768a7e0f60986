import { type Opt, PrimaryKeyProp } from '@mikro-orm/core';
import { Check, Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { bandOf, CreditBand, MAX_SCORE, MIN_SCORE } from '../domain/score.js';

registerEnumType(CreditBand, {
  name: 'CreditBand',
  description: 'FICO-style bands: POOR 300-579, FAIR 580-669, GOOD 670-739, VERY_GOOD 740-799, EXCEPTIONAL 800-850.',
});

/**
 * A customer's credit score. One row per customer, keyed by the customer id (the customer lives in
 * the customer subgraph; this subgraph learns of it from the registered event or a first read).
 */
@Entity({ tableName: 'credit_statuses' })
@Check({ name: 'credit_statuses_score_check', expression: `score >= ${MIN_SCORE} and score <= ${MAX_SCORE}` })
@ObjectType({ description: "A customer's credit score on the FICO scale (300-850) and how it got there." })
export class CreditStatus {
  /** Tells MikroORM's types the key is not `id`, so relations and filters take a customer id. */
  [PrimaryKeyProp]?: 'customerId';

  @PrimaryKey({ type: 'uuid' })
  customerId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  score!: number;

  /** Derived, never stored: a stored band could disagree with the score. */
  @Field(() => CreditBand)
  get band(): CreditBand {
    return bandOf(this.score);
  }

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz' })
  @Field(() => Date, { description: 'When the score last changed, or when the status was created.' })
  updatedAt: Date & Opt = new Date();
}
