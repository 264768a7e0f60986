import { DecimalScalar } from '@commerce-supergraph/shared/graphql/scalars';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { RiskRating } from '../domain/risk.js';

registerEnumType(RiskRating, {
  name: 'RiskRating',
  description:
    'HIGH: band POOR or debt-to-income above 0.43. LOW: band GOOD or better and debt-to-income at most 0.36. ' +
    'MEDIUM: everything else.',
});

@ObjectType({ description: "The credit score combined with the customer's financial profile." })
export class RiskAssessment {
  @Field(() => DecimalScalar, {
    description: '12 x monthlyDebts / annualIncome with exactly 4 decimal places (rounded half-up), e.g. "0.2501".',
  })
  debtToIncome!: string;

  @Field(() => RiskRating)
  rating!: RiskRating;
}
