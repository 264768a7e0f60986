import { DecimalScalar } from '@commerce-supergraph/shared/graphql/scalars';
import type { Opt } from '@mikro-orm/core';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ObjectType, registerEnumType } from 'type-graphql';

export enum EmploymentStatus {
  EMPLOYED = 'EMPLOYED',
  SELF_EMPLOYED = 'SELF_EMPLOYED',
  UNEMPLOYED = 'UNEMPLOYED',
  RETIRED = 'RETIRED',
  STUDENT = 'STUDENT',
}
registerEnumType(EmploymentStatus, { name: 'EmploymentStatus' });

/** A customer's self-declared finances; amounts are exact decimals, kept as strings. */
@Entity({ tableName: 'financial_profiles' })
@ObjectType({ description: "The customer's declared income, debts and assets." })
export class FinancialProfile {
  /** One profile per customer, so the customer id is the key. */
  @PrimaryKey({ type: 'uuid' })
  customerId!: string;

  @Property({ type: 'decimal', precision: 14, scale: 2 })
  @Field(() => DecimalScalar)
  annualIncome!: string;

  @Property({ type: 'decimal', precision: 14, scale: 2 })
  @Field(() => DecimalScalar)
  monthlyDebts!: string;

  @Property({ type: 'decimal', precision: 14, scale: 2 })
  @Field(() => DecimalScalar)
  totalAssets!: string;

  @Enum({ items: () => EmploymentStatus, nativeEnumName: 'employment_status' })
  @Field(() => EmploymentStatus)
  employmentStatus!: EmploymentStatus;

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date & Opt = new Date();
}
