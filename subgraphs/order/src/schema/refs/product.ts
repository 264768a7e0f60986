import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * The product entity, owned by the product subgraph and referenced here by id. Its name is the one
 * field this subgraph may answer, and only on an order line (`OrderItem.product` provides it): the
 * name the product had when it was ordered, so a placed order reads whole while the catalog is away.
 */
@ObjectType('Product')
@Directive('@key(fields: "id", resolvable: false)')
export class ProductRef {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  @Directive('@external')
  name!: string;
}

export const productRef = (id: string, name: string): ProductRef => Object.assign(new ProductRef(), { id, name });
