import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType } from 'type-graphql';

/** A brand products are sold under. "Acme" and "ACME" are one brand: the name is unique case-insensitively. */
@Entity({ tableName: 'brands' })
@Unique({
  name: 'brands_name_lower_unique',
  expression: 'create unique index "brands_name_lower_unique" on "brands" (lower("name"))',
})
@ObjectType({ description: 'A brand products are sold under.' })
export class Brand {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'text' })
  @Field(() => String)
  name!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}
