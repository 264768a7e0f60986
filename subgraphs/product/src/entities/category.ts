import { Entity, Unique } from '@mikro-orm/decorators/legacy';
import { ObjectType } from 'type-graphql';
import { ProductGroup, uniqueNameRegardlessOfCase } from './product-group.js';

/** A catalog category. Unique case-insensitively, like brands, so the catalog has no near-duplicates. */
@Entity({ tableName: 'categories' })
@Unique(uniqueNameRegardlessOfCase('categories'))
@ObjectType({ description: 'A catalog category.' })
export class Category extends ProductGroup {}
