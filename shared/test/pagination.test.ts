import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageSize, toConnection } from '../src/graphql/pagination.js';

describe('Relay pagination helpers', () => {
  it('applies the default and the bounds of first', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(100)).toBe(100);
    expect(() => pageSize(0)).toThrow('first must be between 1 and 100');
    expect(() => pageSize(101)).toThrow('first must be between 1 and 100');
  });

  it('round-trips opaque cursors and refuses foreign ones', () => {
    const cursor = encodeCursor(['2026-11-21T10:00:00.000Z', 'a1']);
    expect(cursor).not.toContain('a1');
    expect(decodeCursor(cursor, 2)).toEqual(['2026-11-21T10:00:00.000Z', 'a1']);
    expect(() => decodeCursor('garbage', 2)).toThrow('after is not a cursor from this list');
    expect(() => decodeCursor(encodeCursor(['only-one']), 2)).toThrow('after is not a cursor from this list');
    expect(() => decodeCursor(Buffer.from('{"a":1}').toString('base64url'), 1)).toThrow();
  });

  it('pages by fetching one row more than it returns', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const full = toConnection(rows, 2, 7, (row) => [row.id]);
    expect(full.edges.map((e) => e.node.id)).toEqual(['a', 'b']);
    expect(full.pageInfo).toMatchObject({ hasNextPage: true, endCursor: encodeCursor(['b']) });
    expect(full.totalCount).toBe(7);
    const last = toConnection(rows.slice(2), 2, 7, (row) => [row.id]);
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, endCursor: encodeCursor(['c']) });
    expect(toConnection([], 2, 0, () => []).pageInfo).toMatchObject({ hasNextPage: false, endCursor: null });
  });
});

describe('ConnectionOf', () => {
  it('declares the edge and connection types in a federated schema', async () => {
    const { Field, ID, ObjectType, Query, Resolver } = await import('type-graphql');
    const { ConnectionOf } = await import('../src/graphql/pagination.js');
    const { buildFederatedSchema, printFederatedSchema } = await import('../src/graphql/federation.js');

    @ObjectType()
    class Thing {
      @Field(() => ID)
      id!: string;
    }
    @ObjectType()
    class ThingConnection extends ConnectionOf(Thing, 'Thing') {}
    @Resolver()
    class ThingResolver {
      @Query(() => ThingConnection)
      things(): ThingConnection {
        return toConnection([{ id: '1' }], 20, 1, (t) => [t.id]) as ThingConnection;
      }
    }

    const sdl = printFederatedSchema(await buildFederatedSchema({ resolvers: [ThingResolver] }));
    expect(sdl).toMatch(
      /type ThingConnection \{\n(.*\n)*\s+totalCount: Int!\n\s+pageInfo: PageInfo!\n\s+edges: \[ThingEdge!\]!/,
    );
    expect(sdl).not.toContain('type ConnectionType');
    expect(sdl).toMatch(/type ThingEdge \{\n\s+cursor: String!\n\s+node: Thing!\n\}/);
    // Shareable: several subgraphs return it, which composition allows only for shareable value types.
    expect(sdl).toMatch(/type PageInfo @shareable \{[^}]*hasNextPage: Boolean![^}]*endCursor: String\n\}/);
  });
});
