import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { type DocumentNode, GraphQLError, type GraphQLFormattedError, Kind, type SourceLocation, visit } from 'graphql';

/**
 * Client mistakes in the request as a whole (parsing, validation, variables), handled the same way
 * in the gateway and in every subgraph: each is answered with a bounded list of clear errors and a
 * 4xx status, never with a 5xx.
 */

/** At most this many errors answer a request that failed before execution, then one that says so. */
export const MAX_REQUEST_ERRORS = 10;

/**
 * Apollo's `validationOptions`: graphql-js stops validating after this many errors and adds
 * "Too many validation errors, error limit reached. Validation aborted.", so a document full of
 * mistakes costs little to refuse.
 */
export const REQUEST_VALIDATION_OPTIONS = { maxErrors: MAX_REQUEST_ERRORS };

/**
 * Identical errors (same message, code and path) become one with all their locations: ten
 * `@unknown` directives on one field are one mistake, reported once. Then at most
 * MAX_REQUEST_ERRORS are kept, and a last error says how many more there were.
 */
export function boundRequestErrors(errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
  const merged = new Map<string, GraphQLFormattedError>();
  for (const error of errors) {
    const key = JSON.stringify([error.message, error.extensions?.code ?? null, error.path ?? null]);
    const first = merged.get(key);
    if (!first) {
      merged.set(key, error);
      continue;
    }
    const locations = [...(first.locations ?? []), ...(error.locations ?? [])];
    merged.set(key, { ...first, ...(locations.length > 0 && { locations: uniqueLocations(locations) }) });
  }
  const distinct = [...merged.values()];
  if (distinct.length <= MAX_REQUEST_ERRORS) return distinct;
  const last = distinct[MAX_REQUEST_ERRORS] as GraphQLFormattedError;
  // graphql-js's own "Too many validation errors" already says it, as the last of MAX + 1.
  if (distinct.length === MAX_REQUEST_ERRORS + 1 && /^Too many/.test(last.message)) return distinct;
  return [
    ...distinct.slice(0, MAX_REQUEST_ERRORS),
    {
      message: `Too many errors: ${distinct.length - MAX_REQUEST_ERRORS} more not shown.`,
      ...(last.extensions?.code !== undefined && { extensions: { code: last.extensions.code } }),
    },
  ];
}

function uniqueLocations(locations: readonly SourceLocation[]): SourceLocation[] {
  const seen = new Set<string>();
  return locations.filter(({ line, column }) => {
    const key = `${line}:${column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Applies boundRequestErrors to every answer without data: a request refused before execution.
 * Errors that come with data belong to fields, each at its own path, and are left alone.
 */
export function boundedRequestErrorsPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.data !== undefined || !result.errors || result.errors.length < 2) return;
          result.errors = boundRequestErrors(result.errors);
        },
      };
    },
  };
}

const NUL = '\u0000';

/**
 * Where a request carries the NUL character, if it does: PostgreSQL text cannot hold it, so it is
 * refused up front instead of failing in the database as an internal error. Walks the variables
 * without recursion: a client may send them nested thousands of levels deep.
 */
export function findNulCharacter(variables: unknown, document?: DocumentNode): string | undefined {
  for (const [name, value] of Object.entries(isRecord(variables) ? variables : {})) {
    const pending: unknown[] = [value];
    while (pending.length > 0) {
      const item = pending.pop();
      if (typeof item === 'string') {
        if (item.includes(NUL)) return `Variable "$${name}"`;
      } else if (typeof item === 'object' && item !== null) {
        // One at a time: spreading a list of a million items would overflow the stack too.
        for (const child of Object.values(item)) pending.push(child);
      }
    }
  }
  return document && hasNulLiteral(document) ? 'A string in the document' : undefined;
}

/**
 * Documents already walked, by identity: Apollo parses a query string once and hands every request
 * of it the same DocumentNode, so a document is walked once, not on every request.
 */
const nulLiterals = new WeakMap<DocumentNode, boolean>();

function hasNulLiteral(document: DocumentNode): boolean {
  let found = nulLiterals.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      [Kind.STRING]: (node) => {
        if (node.value.includes(NUL)) found = true;
      },
    });
    nulLiterals.set(document, found);
  }
  return found;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Refuses a request carrying U+0000 with BAD_USER_INPUT and HTTP 400, before anything runs. */
export function nulCharacterPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const where = findNulCharacter(request.variables, document);
          if (!where) return;
          throw new GraphQLError(`${where} contains the NUL character (U+0000), which no text may contain.`, {
            extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
          });
        },
      };
    },
  };
}

/** Every plugin of this module, for a server's `plugins`. */
export function requestErrorPlugins<TContext extends BaseContext>(): ApolloServerPlugin<TContext>[] {
  return [boundedRequestErrorsPlugin<TContext>(), nulCharacterPlugin<TContext>()];
}
