import { buildSchema, type GraphQLError, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { maxAliasesRule } from '../src/alias-limit.js';
import { createLimits } from '../src/limits.js';

const schema = buildSchema(`
  type Query { me: Customer node: Node products(first: Int): ProductConnection! }
  type Node { id: ID! child: Node }
  type Money { amount: String! currencyCode: String! }
  type Customer { id: ID! name: String! creditStatus: CreditStatus orders(first: Int): OrderConnection! }
  type CreditStatus { score: Int! band: String! }
  type OrderConnection { totalCount: Int! edges: [OrderEdge!]! }
  type OrderEdge { node: Order! }
  type Order { id: ID! status: String! total: Money! items: [OrderItem!]! }
  type OrderItem { quantity: Int! product: Product! }
  type Product { id: ID! sku: String! name: String! price: Money! available: Int! inStock: Boolean!
    brand: Named category: Named }
  type Named { id: ID! name: String! }
  type ProductConnection { totalCount: Int! pageInfo: PageInfo! edges: [ProductEdge!]! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type ProductEdge { cursor: String! node: Product! }
`);

const aliasErrors = (query: string, max = 3): readonly GraphQLError[] =>
  validate(schema, parse(query), [maxAliasesRule(max)]);

describe('maxAliasesRule', () => {
  it('counts __typename aliases like any other', () => {
    expect(aliasErrors('{ a: __typename b: __typename c: __typename }')).toHaveLength(0);
    const errors = aliasErrors('{ a: __typename b: __typename c: __typename d: __typename }');
    expect(errors.map((error) => error.message)).toEqual(['Too many aliases: 4 in this operation, at most 3 allowed.']);
  });

  it('counts aliases at every level, in inline fragments, and once per fragment spread', () => {
    expect(aliasErrors('{ node { a: id child { b: id ... on Node { c: id d: __typename } } } }')).toHaveLength(1);
    const spreadTwice = 'fragment F on Node { x: id y: __typename } { node { ...F child { ...F } } }';
    expect(aliasErrors(spreadTwice)[0]?.message).toMatch(/Too many aliases: 4/);
  });

  it('ignores plain fields and checks each operation on its own', () => {
    expect(aliasErrors('{ node { id __typename child { id } } }')).toHaveLength(0);
    expect(aliasErrors('query A { a: me { id } b: me { id } } query B { c: me { id } d: me { id } }')).toHaveLength(0);
  });

  it('ends on a fragment cycle (graphql reports the cycle itself)', () => {
    const cyclic = 'fragment F on Node { a: id child { ...G } } fragment G on Node { b: id ...F } { node { ...F } }';
    expect(aliasErrors(cyclic)).toHaveLength(0);
  });
});

describe('createLimits', () => {
  const limits = createLimits({ maxDepth: 10, maxAliases: 15, maxDirectives: 20, maxTokens: 2000, maxCost: 10_000 });
  const check = (query: string) =>
    validate(schema, parse(query, limits.parseOptions), limits.validationRules).map((error) => error.message);
  const nested = (depth: number) => `{ node { ${'child { '.repeat(depth - 2)}id${' }'.repeat(depth - 2)} } }`;

  it('lets the contract Dashboard query through with room to spare', () => {
    const dashboard = `query Dashboard { me { id name creditStatus { score band } orders(first: 5) { totalCount
      edges { node { id status total { amount currencyCode }
        items { quantity product { id name price { amount currencyCode } } } } } } } }`;
    expect(check(dashboard)).toEqual([]);
  });

  it('lets the contract Products query through at the largest page, first: 100 written literally', () => {
    const products = `query Products { products(first: 100) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id sku name price { amount currencyCode } available inStock
        brand { id name } category { id name } } } } }`;
    expect(check(products)).toEqual([]);
  });

  it('measures depth in fields: fragments add no level', () => {
    expect(check(nested(10))).toEqual([]);
    expect(check(nested(11))).toEqual(['Query depth limit of 10 exceeded, found 11.']);
    const viaFragments = `fragment A on Node { child { ...B } } fragment B on Node { child { id } } { node { ...A } }`;
    expect(check(viaFragments)).toEqual([]);
  });

  it('limits directives and cost, and the parser stops at the token limit', () => {
    expect(check(`{ node { ${'id @skip(if: false) '.repeat(21)} } }`)).toEqual([
      'Directives limit of 20 exceeded, found 21.',
    ]);
    expect(check('{ me { orders(first: 1000) { edges { node { id status } } } } }')[0]).toMatch(/Cost limit of 10000/);
    expect(() => check(`{ node { ${'id '.repeat(2000)} } }`)).toThrow(/more that 2000 tokens/);
  });
});
