import { UserError } from '@commerce-supergraph/shared/graphql/errors';
import { ConnectionOf } from '@commerce-supergraph/shared/graphql/pagination';
import { Field, ObjectType } from 'type-graphql';
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
