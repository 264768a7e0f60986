import { DecimalScalar } from '@commerce-supergraph/shared/graphql/scalars';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * The customer subgraph's FinancialProfile, cut down to the fields `riskAssessment` requires. They
 * are all @external: this subgraph never resolves them, it receives them from the customer
 * subgraph in the entity representation, so composition needs no @shareable here.
 */
@ObjectType('FinancialProfile')
export class FinancialProfileRef {
  @Directive('@external')
  @Field(() => DecimalScalar)
  annualIncome!: string;

  @Directive('@external')
  @Field(() => DecimalScalar)
  monthlyDebts!: string;
}

/**
 * The customer entity, owned by the customer subgraph: this subgraph adds credit fields to it.
 * Its instances are the representations the gateway sends (id, plus the financial profile when a
 * field that @requires it was asked for).
 */
@ObjectType('Customer')
@Directive('@key(fields: "id")')
export class CustomerRef {
  @Field(() => ID)
  id!: string;

  @Directive('@external')
  @Field(() => FinancialProfileRef, { nullable: true })
  financialProfile?: FinancialProfileRef | null;
}
