import { UserError } from '@commerce-supergraph/shared/graphql/errors';
import { ConnectionOf } from '@commerce-supergraph/shared/graphql/pagination';
import { failed } from '@commerce-supergraph/shared/graphql/payloads';
import { Field, ObjectType } from 'type-graphql';
import type { Result } from '../domain/result.js';
import { Brand, Category, Product } from '../entities/index.js';

@ObjectType({ description: 'A page of products.' })
export class ProductConnection extends ConnectionOf(Product, 'Product') {}

@ObjectType()
export class ProductPayload {
  @Field(() => Product, { nullable: true })
  product: Product | null = null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType()
export class BrandPayload {
  @Field(() => Brand, { nullable: true })
  brand: Brand | null = null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType()
export class CategoryPayload {
  @Field(() => Category, { nullable: true })
  category: Category | null = null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

/** The payload of a catalog change: its main field on success, only user errors otherwise. */
export function toPayload<P extends { userErrors: UserError[] }, K extends keyof P>(
  payload: P,
  field: K,
  result: Result<NonNullable<P[K]>>,
): P {
  return result.ok ? Object.assign(payload, { [field]: result.value }) : failed(payload, result.errors);
}
