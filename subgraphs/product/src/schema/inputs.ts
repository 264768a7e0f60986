import { DecimalScalar } from '@commerce-supergraph/shared/graphql/scalars';
import { Field, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'Every given condition must hold.' })
export class ProductFilter {
  @Field(() => String, { nullable: true, description: 'Part of the name or SKU, case-insensitive.' })
  search?: string | null;

  @Field(() => ID, { nullable: true })
  brandId?: string | null;

  @Field(() => ID, { nullable: true })
  categoryId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: available > 0; false: sold out.' })
  inStock?: boolean | null;
}

@InputType()
export class CreateProductInput {
  @Field(() => String, { description: 'Unique, case-insensitively.' })
  sku!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => DecimalScalar, { description: 'Greater than 0, at most 2 decimals.' })
  price!: string;

  @Field(() => String, { nullable: true, description: 'ISO 4217; USD when not given.' })
  currencyCode?: string | null;

  @Field(() => ID, { nullable: true })
  brandId?: string | null;

  @Field(() => ID, { nullable: true })
  categoryId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Units on hand to start with; 0 when not given.' })
  initialStock?: number | null;

  @Field(() => String, { nullable: true, description: 'An http or https URL.' })
  imageUrl?: string | null;
}

@InputType({ description: 'Only the fields given are changed; null clears description or image.' })
export class UpdateProductInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: "In the product's currency." })
  price?: string | null;

  @Field(() => Boolean, { nullable: true })
  active?: boolean | null;

  @Field(() => String, { nullable: true })
  imageUrl?: string | null;
}

@InputType()
export class RestockProductInput {
  @Field(() => ID)
  productId!: string;

  @Field(() => Int, { description: 'Units added to the stock on hand, at least 1.' })
  quantity!: number;
}
