import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * The customer entity, owned by the customer subgraph: this subgraph adds `orders` to it and
 * resolves it by id (the gateway comes here for `me { orders }`), so it is resolvable here.
 */
@ObjectType('Customer')
@Directive('@key(fields: "id")')
export class CustomerRef {
  @Field(() => ID)
  id!: string;
}

export const customerRef = (id: string): CustomerRef => Object.assign(new CustomerRef(), { id });
