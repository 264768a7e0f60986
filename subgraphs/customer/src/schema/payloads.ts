import { UserError } from '@commerce-supergraph/shared/graphql/errors';
import { ConnectionOf } from '@commerce-supergraph/shared/graphql/pagination';
import { Field, ID, ObjectType } from 'type-graphql';
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

@ObjectType({ description: 'A page of the customer directory.' })
export class CustomerConnection extends ConnectionOf(Customer, 'Customer') {}

@ObjectType({ description: 'The result of signing out everywhere.' })
export class SignOutPayload {
  @Field(() => Date, { nullable: true, description: 'Every token issued before this instant no longer works.' })
  revokedBefore: Date | null = null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType({ description: 'Always the same answer, whether the email belongs to an account or not.' })
export class RequestPasswordResetPayload {
  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType({ description: 'The result of deleting an account.' })
export class DeleteCustomerPayload {
  @Field(() => ID, { nullable: true, description: 'The deleted account; also when it had been deleted before.' })
  deletedCustomerId: string | null = null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}
