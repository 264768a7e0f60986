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

/**
 * A subgraph fetch not sent because the subgraph was busier than it answers (no connection came
 * free in time): the part it was to fill is null with this code, and a retry hint.
 */
export const SUBGRAPH_BUSY = 'TOO_MANY_REQUESTS';
export const BUSY_MESSAGE = 'The service is busy right now and this part was not asked for; try again in a moment';

/** graphql-js appends ` Did you mean "x"?`, ` Did you mean the enum value "Y"?` and the like. */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

/**
 * Every error leaves the gateway through here, whatever produced it (validation, variable
 * coercion, a subgraph, context creation), so suggestions are stripped in every environment:
 * they would reveal schema names with introspection off. That includes the first line of a
 * development stack trace, which repeats the original message. In production, shared's formatter
 * also masks internal errors and reduces client-safe ones to message and code, which drops what
 * the gateway adds about subgraphs (`serviceName`, the downstream response with its URL).
 * SERVICE_UNAVAILABLE and the gateway's own TOO_MANY_REQUESTS keep their retry hint there, and only that.
 */
export function createGatewayErrorFormatter(production: boolean) {
  const mask = createErrorFormatter(production);
  return (formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const masked =
      production && code === SERVICE_UNAVAILABLE
        ? hinted(formatted, SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE)
        : production && code === SUBGRAPH_BUSY && formatted.message === BUSY_MESSAGE
          ? hinted(formatted, SUBGRAPH_BUSY, BUSY_MESSAGE)
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

function hinted({ path, extensions }: GraphQLFormattedError, code: string, message: string): GraphQLFormattedError {
  return {
    message,
    ...(path && { path }),
    extensions: {
      code,
      retryable: extensions?.retryable === true,
      retryAfterSeconds: extensions?.retryAfterSeconds,
    },
  };
}

export const withoutSuggestions = (message: string): string => message.replace(SUGGESTION, '');

/**
 * What production masks is still needed by whoever runs it: logged in full, with the request id.
 * SERVICE_UNAVAILABLE and a busy subgraph's TOO_MANY_REQUESTS are logged by the data source, once
 * per failed fetch and with its cause, rather than here once per path.
 */
export function gatewayErrorLoggingPlugin(): ApolloServerPlugin<GatewayContext> {
  return errorLoggingPlugin<GatewayContext>(new Set([SERVICE_UNAVAILABLE, SUBGRAPH_BUSY]));
}
