import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType } from 'type-graphql';

/** A catalog category. Unique case-insensitively, like brands, so the catalog has no near-duplicates. */
@Entity({ tableName: 'categories' })
@Unique({
  name: 'categories_name_lower_unique',
  expression: 'create unique index "categories_name_lower_unique" on "categories" (lower("name"))',
})
@ObjectType({ description: 'A catalog category.' })
export class Category {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'text' })
  @Field(() => String)
  name!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}
