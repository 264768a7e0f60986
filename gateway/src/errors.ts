import type { ApolloServerPlugin } from '@apollo/server';
import {
  createErrorFormatter,
  errorLoggingPlugin,
  SERVICE_UNAVAILABLE,
  UNAVAILABLE_MESSAGE,
} from '@commerce-supergraph/shared/graphql/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from './auth.js';

/**
 * A subgraph did not answer (down, unreachable, or its connection broke), or answered that it could
 * not do the work now (its database is away): the part of the response it was to fill is null with
 * this code. Written for clients, so shown in production too, with its retry hint (docs/api.md, Errors).
 */
export { SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE };

/** graphql-js appends ` Did you mean "x"?`, ` Did you mean the enum value "Y"?` and the like. */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

/**
 * Every error leaves the gateway through here, whatever produced it (validation, variable
 * coercion, a subgraph, context creation), so suggestions are stripped in every environment:
 * they would reveal schema names with introspection off. That includes the first line of a
 * development stack trace, which repeats the original message. In production, shared's formatter
 * also masks internal errors and reduces client-safe ones to message and code, which drops what
 * the gateway adds about subgraphs (`serviceName`, the downstream response with its URL).
 * SERVICE_UNAVAILABLE keeps its retry hint there, and only that.
 */
export function createGatewayErrorFormatter(production: boolean) {
  const mask = createErrorFormatter(production);
  return (formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError => {
    const masked =
      production && formatted.extensions?.code === SERVICE_UNAVAILABLE
        ? unavailable(formatted)
        : mask(formatted, error);
    const stacktrace = masked.extensions?.stacktrace;
    return {
      ...masked,
      message: withoutSuggestions(masked.message),
      ...(Array.isArray(stacktrace) && {
        extensions: { ...masked.extensions, stacktrace: stacktrace.map((line) => withoutSuggestions(String(line))) },
      }),
    };
  };
}

function unavailable({ path, extensions }: GraphQLFormattedError): GraphQLFormattedError {
  return {
    message: UNAVAILABLE_MESSAGE,
    ...(path && { path }),
    extensions: {
      code: SERVICE_UNAVAILABLE,
      retryable: extensions?.retryable === true,
      retryAfterSeconds: extensions?.retryAfterSeconds,
    },
  };
}

export const withoutSuggestions = (message: string): string => message.replace(SUGGESTION, '');

/**
 * What production masks is still needed by whoever runs it: logged in full, with the request id.
 * SERVICE_UNAVAILABLE is logged by the data source, once per failed fetch and with its cause,
 * rather than here once per path.
 */
export function gatewayErrorLoggingPlugin(): ApolloServerPlugin<GatewayContext> {
  return errorLoggingPlugin<GatewayContext>(new Set([SERVICE_UNAVAILABLE]));
}
