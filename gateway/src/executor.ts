import type { ApolloGateway } from '@apollo/gateway';
import {
  type DocumentNode,
  execute,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

type LoadResult = Awaited<ReturnType<ApolloGateway['load']>>;
type Executor = LoadResult['executor'];
type ExecutorContext = Parameters<Executor>[0];

/** What ApolloServer needs of a gateway (its `GatewayInterface`). */
export type GatewayLike = Pick<ApolloGateway, 'load' | 'onSchemaLoadOrUpdate' | 'stop'>;

/**
 * The gateway's executor builds a query plan with @apollo/federation-internals, which checks the
 * operation again against its own copy of the schema. Apollo Server has already validated the
 * document with graphql-js; wherever the planner disagrees or gives up, it throws, and Apollo
 * Server answers HTTP 500 with INVALID_GRAPHQL and a stack trace, for what is the client's request:
 *
 * - no operation to run (several operations and no `operationName`, or an `operationName` the
 *   document does not have): Apollo Server leaves that to execution, which the planner fails.
 *   Answered as graphql-js answers it, and as every subgraph does: OPERATION_RESOLUTION_FAILURE, 400.
 * - introspection: the planner's introspection types lack `__Type.isOneOf`, which graphql-js (16.9
 *   and later) serves and newer tools (GraphiQL, Sandbox, codegen) select. An operation of
 *   introspection fields only is run by graphql-js against the API schema, which is what the
 *   gateway itself does with introspection once planned, without the planner.
 * - anything else the planner refuses as INVALID_GRAPHQL (such as `isOneOf` in an operation that
 *   mixes introspection with data fields) is GRAPHQL_VALIDATION_FAILED with its message, HTTP 400.
 */
export function guardGateway(gateway: ApolloGateway): GatewayLike {
  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
    async load(options) {
      const loaded = await gateway.load(options);
      return { ...loaded, executor: guardExecutor(loaded.executor) };
    },
  };
}

export function guardExecutor(executor: Executor): Executor {
  return async (requestContext: ExecutorContext) => {
    const { request, document, schema } = requestContext;
    // Typed as always present, but Apollo Server calls the executor without one to let it fail.
    const operation = requestContext.operation as OperationDefinitionNode | undefined;
    if (!operation) return { errors: [operationResolutionError(document, request.operationName)] };
    if (isIntrospectionOnly(operation, document)) {
      return await execute({
        schema,
        document,
        operationName: request.operationName,
        variableValues: request.variables,
        contextValue: requestContext.context,
      });
    }
    try {
      return await executor(requestContext);
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code === 'INVALID_GRAPHQL') {
        return {
          errors: [
            new GraphQLError(error.message, {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
            }),
          ],
        };
      }
      throw error;
    }
  };
}

/** graphql-js's own messages; Apollo Server makes the error OPERATION_RESOLUTION_FAILURE with HTTP 400. */
function operationResolutionError(document: DocumentNode, operationName: string | undefined): GraphQLError {
  if (operationName) return new GraphQLError(`Unknown operation named "${operationName}".`);
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  return new GraphQLError(
    operations.length > 1
      ? 'Must provide operation name if query contains multiple operations.'
      : 'Must provide an operation.',
  );
}

/** A query whose root selects only `__schema`, `__type` and `__typename`, through fragments too. */
export function isIntrospectionOnly(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  if (operation.operation !== 'query') return false;
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  const seen = new Set<string>();
  const onlyIntrospection = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value.startsWith('__');
      if (selection.kind === Kind.INLINE_FRAGMENT) return onlyIntrospection(selection.selectionSet);
      const name = selection.name.value;
      if (seen.has(name)) return true;
      seen.add(name);
      const fragment = fragments.get(name);
      return fragment !== undefined && onlyIntrospection(fragment.selectionSet);
    });
  return onlyIntrospection(operation.selectionSet);
}
