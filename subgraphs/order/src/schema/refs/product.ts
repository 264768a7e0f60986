import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The product entity, owned by the product subgraph: referenced by id only, never resolved here. */
@ObjectType('Product')
@Directive('@key(fields: "id", resolvable: false)')
export class ProductRef {
  @Field(() => ID)
  id!: string;
}

export const productRef = (id: string): ProductRef => Object.assign(new ProductRef(), { id });
