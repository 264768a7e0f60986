import { DateScalar, DecimalScalar } from '@commerce-supergraph/shared/graphql/scalars';
import { Field, InputType } from 'type-graphql';
import { EmploymentStatus } from '../entities/index.js';

@InputType()
export class RegisterCustomerInput {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String, { description: 'At least 8 characters.' })
  password!: string;

  @Field(() => String, { nullable: true, description: 'E.164, e.g. +4915112345678.' })
  phone?: string | null;

  @Field(() => String, { nullable: true })
  address?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'A past date.' })
  dateOfBirth?: string | null;

  @Field(() => String, { nullable: true, description: 'Stored for compliance; never returned.' })
  nationalId?: string | null;
}

@InputType()
export class LoginInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;
}

@InputType({ description: 'Only the fields given are changed; null clears phone, address or date of birth.' })
export class UpdateCustomerInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  phone?: string | null;

  @Field(() => String, { nullable: true })
  address?: string | null;

  @Field(() => DateScalar, { nullable: true })
  dateOfBirth?: string | null;
}

@InputType()
export class FinancialProfileInput {
  @Field(() => DecimalScalar)
  annualIncome!: string;

  @Field(() => DecimalScalar)
  monthlyDebts!: string;

  @Field(() => DecimalScalar)
  totalAssets!: string;

  @Field(() => EmploymentStatus)
  employmentStatus!: EmploymentStatus;
}

@InputType({ description: 'Narrows the customer directory; every given condition must hold.' })
export class CustomerFilter {
  @Field(() => String, { nullable: true, description: 'Any part of the name or the email, case-insensitive.' })
  search?: string | null;

  @Field(() => Date, { nullable: true, description: 'Registered after this instant.' })
  registeredAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Registered before this instant.' })
  registeredBefore?: Date | null;
}
