import 'reflect-metadata';
import { GraphQLError } from 'graphql';
import { type ClassType, Directive, Field, Int, ObjectType } from 'type-graphql';

/** The contract's paging rules: `first` defaults to 20 and may be at most 100. */
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** A cursor position: the sort key values of the last row seen (e.g. [createdAt, id]). */
export type CursorKey = (string | number)[];

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return first;
}

/** Opaque to clients (base64url of JSON), so the key behind it can change without breaking them. */
export const encodeCursor = (key: CursorKey): string => Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor(cursor: string, length: number): CursorKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === length && key.every((v) => ['string', 'number'].includes(typeof v))) {
      return key as CursorKey;
    }
  } catch {
    // Falls through to the error below: a cursor we did not issue.
  }
  throw badCursor();
}

/** The error for a cursor this list did not issue (a subgraph's own checks of the key use it too). */
export const badCursor = (): GraphQLError => badInput('after is not a cursor from this list');

/** Shareable: every subgraph with a connection (products, a customer's orders) returns it. */
@ObjectType({ description: 'Where a page ends, and whether another follows.' })
@Directive('@shareable')
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Connection<T> {
  totalCount: number;
  pageInfo: PageInfo;
  edges: { cursor: string; node: T }[];
}

/**
 * A Relay connection base for a node class: `@ObjectType() class ProductConnection extends
 * ConnectionOf(Product, 'Product') {}` declares `ProductEdge` and `ProductConnection` with
 * totalCount, pageInfo and edges (the subclass gives the connection its name).
 */
export function ConnectionOf<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  // Only types reachable from a resolver reach the schema, so this unnamed base never does.
  @ObjectType()
  abstract class ConnectionType implements Connection<T> {
    @Field(() => Int, { description: 'All matches of the filter, on every page.' })
    totalCount!: number;

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => [Edge])
    edges!: Edge[];
  }
  return ConnectionType;
}

/**
 * Builds a page from rows fetched with `limit: size + 1`: the extra row only tells that
 * another page follows, without a second query.
 */
export function toConnection<T>(
  rows: T[],
  size: number,
  totalCount: number,
  keyOf: (row: T) => CursorKey,
): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    totalCount,
    pageInfo: Object.assign(new PageInfo(), {
      hasNextPage: rows.length > size,
      endCursor: edges.at(-1)?.cursor ?? null,
    }),
    edges,
  };
}
