import type { GraphQLResponse } from '@commerce-supergraph/test-support/graphql-client';

/** A payload's user errors as [field path, code] pairs, e.g. `[['input.email', 'TAKEN']]`, for exact assertions. */
export const userErrors = (res: GraphQLResponse, payload: string): [string | undefined, string][] =>
  ((res.data?.[payload]?.userErrors ?? []) as { field?: string[]; code: string }[]).map((e) => [
    e.field?.join('.'),
    e.code,
  ]);
