import { CreatedAtEntity } from '@commerce-supergraph/shared/db/base-entities';
import { Property } from '@mikro-orm/decorators/legacy';
import { Field, ObjectType } from 'type-graphql';

/**
 * What brands and categories share: a named group products are filed under, each in a table of its
 * own (`id`, `name`, `created_at`) and a GraphQL type of its own (`id`, `name`).
 */
@ObjectType()
export abstract class ProductGroup extends CreatedAtEntity {
  @Property({ type: 'text' })
  @Field(() => String)
  name!: string;
}

/**
 * The unique index on the lower-cased name of a group's table: "Acme" and "ACME" are one group, so
 * the catalog has no near-duplicates.
 */
export const uniqueNameRegardlessOfCase = (table: string) => ({
  name: `${table}_name_lower_unique`,
  expression: `create unique index "${table}_name_lower_unique" on "${table}" (lower("name"))`,
});
