import { Entity, Unique } from '@mikro-orm/decorators/legacy';
import { ObjectType } from 'type-graphql';
import { ProductGroup, uniqueNameRegardlessOfCase } from './product-group.js';

/** A brand products are sold under. "Acme" and "ACME" are one brand: the name is unique case-insensitively. */
@Entity({ tableName: 'brands' })
@Unique(uniqueNameRegardlessOfCase('brands'))
@ObjectType({ description: 'A brand products are sold under.' })
export class Brand extends ProductGroup {}
