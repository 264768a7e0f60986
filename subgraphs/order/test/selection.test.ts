import { buildSchema, execute, type GraphQLResolveInfo, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectsPath } from '../src/schema/selection.js';

const schema = buildSchema(`
  type Item { quantity: Int }
  type Order { id: ID, items: [Item] }
  type Edge { node: Order }
  type Connection { totalCount: Int, edges: [Edge] }
  type Query { orders: Connection }
`);

/** The resolve info `orders` gets for this query. */
function infoFor(query: string): GraphQLResolveInfo {
  let seen: GraphQLResolveInfo | undefined;
  execute({
    schema,
    document: parse(query),
    rootValue: {
      orders: (_args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => {
        seen = info;
        return null;
      },
    },
  });
  if (!seen) throw new Error('orders was not resolved');
  return seen;
}
const items = ['edges', 'node', 'items'];

describe('selectsPath', () => {
  it('finds a nested field, aliased or not', () => {
    expect(selectsPath(infoFor('{ orders { edges { node { items { quantity } } } } }'), items)).toBe(true);
    expect(selectsPath(infoFor('{ orders { e: edges { n: node { lines: items { quantity } } } } }'), items)).toBe(true);
  });

  it('finds it through inline and named fragments', () => {
    expect(selectsPath(infoFor('{ orders { edges { ... on Edge { node { items { quantity } } } } } }'), items)).toBe(
      true,
    );
    const named =
      'query { orders { edges { ...E } } } fragment E on Edge { node { ...N } } fragment N on Order { items { quantity } }';
    expect(selectsPath(infoFor(named), items)).toBe(true);
  });

  it('says no when the path is not selected, or only part of it', () => {
    expect(selectsPath(infoFor('{ orders { totalCount edges { node { id } } } }'), items)).toBe(false);
    expect(selectsPath(infoFor('{ orders { totalCount } }'), items)).toBe(false);
    expect(selectsPath(infoFor('{ orders { edges { node { id } } } }'), ['edges', 'node', 'id', 'x'])).toBe(false);
  });
});
