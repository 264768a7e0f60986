import 'reflect-metadata';
import { Directive, Field, ObjectType } from 'type-graphql';
import { DecimalScalar } from './scalars.js';

/**
 * An amount with its currency. Several subgraphs return Money (product prices, order totals), and
 * composition accepts a value type in more than one subgraph only when every definition is identical
 * and shareable: so there is exactly one, here.
 */
@ObjectType({ description: 'An exact amount of money in one currency.' })
@Directive('@shareable')
export class Money {
  @Field(() => DecimalScalar, { description: 'A decimal string, e.g. "19.99". Never a float.' })
  amount!: string;

  @Field(() => String, { description: 'ISO 4217 code, e.g. USD.' })
  currencyCode!: string;
}

export const money = (amount: string, currencyCode: string): Money =>
  Object.assign(new Money(), { amount, currencyCode });
