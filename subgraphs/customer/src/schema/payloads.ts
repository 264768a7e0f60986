import { UserError } from '@commerce-supergraph/shared/graphql/errors';
import { Field, ObjectType } from 'type-graphql';
import { Customer, FinancialProfile } from '../entities/index.js';

@ObjectType({ description: 'The result of registering or logging in.' })
export class AuthPayload {
  @Field(() => String, { nullable: true, description: 'A JWT to send as `Authorization: Bearer <token>`.' })
  token: string | null = null;

  @Field(() => Customer, { nullable: true })
  customer: Customer | null = null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType()
export class CustomerPayload {
  @Field(() => Customer, { nullable: true })
  customer: Customer | null = null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType()
export class FinancialProfilePayload {
  @Field(() => FinancialProfile, { nullable: true })
  financialProfile: FinancialProfile | null = null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}
