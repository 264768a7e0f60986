import { Field, ID, InputType, Int } from 'type-graphql';

@InputType()
export class AdjustCreditScoreInput {
  @Field(() => ID)
  customerId!: string;

  @Field(() => Int, { description: 'Added to the score, which stays within 300-850; not 0.' })
  delta!: number;

  @Field(() => String, { description: 'Why: shown in the score history.' })
  reason!: string;
}
