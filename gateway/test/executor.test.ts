import { buildSchema, GraphQLError, getOperationAST, type OperationDefinitionNode, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { guardExecutor, isIntrospectionOnly } from '../src/executor.js';

const schema = buildSchema(
  'type Query { node(filter: Filter): Node } type Node { id: ID! } input Filter @oneOf { id: ID }',
);

/** The operation as ApolloServer resolves it: none when the name is missing or unknown. */
const operationOf = (query: string, name?: string) => {
  const document = parse(query);
  return { document, operation: getOperationAST(document, name) ?? undefined };
};

/** What ApolloServer hands the gateway's executor, as far as the guard reads it. */
const contextOf = (query: string, operationName?: string) => {
  const { document, operation } = operationOf(query, operationName);
  return { request: { query, operationName }, document, operation, schema, context: {} } as never;
};

describe('isIntrospectionOnly', () => {
  it('is true for a query of __schema, __type and __typename only, through fragments too', () => {
    for (const query of [
      '{ __schema { types { name isOneOf } } }',
      '{ __typename t: __type(name: "Node") { name } }',
      'query { ...F } fragment F on Query { __schema { queryType { name } } }',
      '{ ... on Query { __typename } }',
    ]) {
      const { document, operation } = operationOf(query);
      expect(isIntrospectionOnly(operation as OperationDefinitionNode, document), query).toBe(true);
    }
  });

  it('is false as soon as a data field is selected, or for a mutation', () => {
    for (const query of [
      '{ __schema { types { name } } node { id } }',
      'query { ...F } fragment F on Query { node { id } }',
      'query { ...Missing }',
      'mutation { __typename }',
    ]) {
      const { document, operation } = operationOf(query);
      expect(isIntrospectionOnly(operation as OperationDefinitionNode, document), query).toBe(false);
    }
  });
});

describe('guardExecutor', () => {
  const planner = (error: Error) => async () => {
    throw error;
  };

  it('answers an operation that cannot be resolved as graphql-js does, without planning', async () => {
    const executor = guardExecutor(planner(new Error('never planned')));
    const several = await executor(contextOf('query A { node { id } } query B { node { id } }'));
    expect(several.errors?.map((error) => error.message)).toEqual([
      'Must provide operation name if query contains multiple operations.',
    ]);
    const unknown = await executor(contextOf('query A { node { id } }', 'C'));
    expect(unknown.errors?.map((error) => error.message)).toEqual(['Unknown operation named "C".']);
  });

  it('runs introspection with graphql-js, isOneOf included', async () => {
    const executor = guardExecutor(planner(new Error('never planned')));
    const result = await executor(contextOf('{ __type(name: "Filter") { name isOneOf } }'));
    expect(result).toEqual({ data: { __type: { name: 'Filter', isOneOf: true } } });
  });

  it('turns what the planner refuses as INVALID_GRAPHQL into a validation error with HTTP 400', async () => {
    const refusal = new GraphQLError('Cannot query field "isOneOf" on type "__Type".', {
      extensions: { code: 'INVALID_GRAPHQL' },
    });
    const result = await guardExecutor(planner(refusal))(contextOf('{ node { id } __type(name: "Node") { isOneOf } }'));
    expect(result.errors?.[0]?.message).toBe('Cannot query field "isOneOf" on type "__Type".');
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } });
  });

  it('lets any other failure through', async () => {
    const failure = new Error('subgraph exploded');
    await expect(guardExecutor(planner(failure))(contextOf('{ node { id } }'))).rejects.toBe(failure);
  });
});
