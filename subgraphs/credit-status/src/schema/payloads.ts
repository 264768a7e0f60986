import { UserError } from '@commerce-supergraph/shared/graphql/errors';
import { Field, ObjectType } from 'type-graphql';
import { CreditStatus } from '../entities/index.js';

@ObjectType()
export class CreditStatusPayload {
  @Field(() => CreditStatus, { nullable: true })
  creditStatus: CreditStatus | null = null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}
