import 'reflect-metadata';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { Directive, Field, ObjectType } from 'type-graphql';
import { isDatabaseUnavailable } from '../db/unavailable.js';

/** Stable codes the frontends switch on (docs/api.md, Errors). */
export type UserErrorCode =
  | 'INVALID'
  | 'BLANK'
  | 'TOO_SHORT'
  | 'TAKEN'
  | 'INVALID_CREDENTIALS'
  | 'TOO_MANY_ATTEMPTS'
  | 'TOO_MANY_REQUESTS'
  | 'TOO_MANY_OPEN_ORDERS'
  | 'NOT_FOUND'
  | 'UNKNOWN_PRODUCT'
  | 'INVALID_STATE'
  | 'PAYMENT_DECLINED'
  | 'INVALID_PAYMENT_TOKEN';

/**
 * A business or validation problem, returned as data in a payload's `userErrors`. Every subgraph
 * returns it, and composition accepts a value type from several subgraphs only when it is shareable.
 */
@ObjectType({ description: 'A problem with the input, reported as data rather than as a GraphQL error.' })
@Directive('@shareable')
export class UserError {
  @Field(() => [String], { nullable: true, description: 'Path to the input field, e.g. ["input", "email"].' })
  field?: string[];

  @Field(() => String)
  message!: string;

  @Field(() => String, { description: 'A stable upper-case code, e.g. INVALID, TAKEN, NOT_FOUND.' })
  code!: UserErrorCode;
}

export function userError(field: string[] | undefined, code: UserErrorCode, message: string): UserError {
  return Object.assign(new UserError(), { field, code, message });
}

/** A request without a valid credential where one is needed. */
export function unauthenticated(message = 'Authentication required'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** A caller who is known but may not see or do this. */
export function forbidden(message = 'Not allowed'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

/** Codes whose messages were written for clients and may be shown even in production. */
export const CLIENT_SAFE_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_NOT_SAFELISTED',
  'OPERATION_RESOLUTION_FAILURE',
  // The gateway's answer to a subscription sent over HTTP (gateway/src/live/http-schema.ts).
  'SUBSCRIPTION_REQUIRES_WEBSOCKET',
]);

/**
 * Apollo answers a few malformed requests with HTTP 400 but an error without a code, which it then
 * reports as INTERNAL_SERVER_ERROR (and production would mask): a persisted query of an unknown
 * version, or a persisted query hash that does not match its document. They are client mistakes.
 */
export function isCodelessBadRequest(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('extensions' in error)) return false;
  const extensions = (error as { extensions?: { code?: unknown; http?: { status?: unknown } } }).extensions;
  const status = extensions?.http?.status;
  return extensions?.code === undefined && typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * A service could not do the work now (its database is down or restarting, or a service behind the
 * gateway did not answer): written for clients, with a retry hint the gateway adds (docs/api.md,
 * When a service is down). Trying again later may succeed; nothing about the request was wrong.
 */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';
export const UNAVAILABLE_MESSAGE = 'Service temporarily unavailable';

/** The error as thrown, out of the GraphQLError graphql-js wrapped it in at a field. */
const thrown = (error: unknown): unknown =>
  error instanceof GraphQLError && error.originalError ? error.originalError : error;

/**
 * Apollo `formatError`: in production, anything not written for clients becomes a generic
 * message with a code, so no stack trace, SQL or host name leaves the service. `error` is the
 * error as thrown, which Apollo passes along. A database that is not there is no internal error
 * but an outage, in every environment: SERVICE_UNAVAILABLE, so clients can tell "try again" apart
 * from "this is broken".
 */
export function createErrorFormatter(production: boolean) {
  return (formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError => {
    if (isCodelessBadRequest(error))
      formatted = { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_REQUEST' } };
    if (isDatabaseUnavailable(thrown(error))) {
      const { path } = formatted;
      return { message: UNAVAILABLE_MESSAGE, ...(path && { path }), extensions: { code: SERVICE_UNAVAILABLE } };
    }
    const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    if (!production) return formatted;
    if (CLIENT_SAFE_CODES.has(code)) return { ...formatted, extensions: { code } };
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/**
 * What production masks is still needed by whoever runs the service: every error not written for
 * clients is logged in full with the request's logger (and so its request id), at the field where
 * it happened. An outage is logged as a warning (the service recovers on its own); anything else
 * is an error. `skip` names codes that are logged elsewhere (the gateway logs an unavailable
 * subgraph once per fetch, with its cause).
 */
export function errorLoggingPlugin<TContext extends BaseContext & { log: Logger }>(
  skip: ReadonlySet<string> = new Set(),
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const code = String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
            if (CLIENT_SAFE_CODES.has(code) || skip.has(code) || isCodelessBadRequest(error)) continue;
            const cause = thrown(error);
            const log = contextValue?.log;
            if (!log) continue;
            // An outage fails every request at once: one short line each (the watchdog logs the outage
            // itself, with its cause), not a stack trace each.
            if (isDatabaseUnavailable(cause)) {
              const reason = cause instanceof Error ? cause.message : String(cause);
              log.warn({ path: error.path, reason }, 'database unavailable; answered SERVICE_UNAVAILABLE');
            } else log.error({ err: cause, path: error.path, code }, error.message);
          }
        },
      };
    },
  };
}
