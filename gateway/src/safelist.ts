import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type {
  ApolloServer,
  ApolloServerPlugin,
  BaseContext,
  GraphQLRequest,
  PersistedQueryOptions,
} from '@apollo/server';
import type { ConfigReader } from '@commerce-supergraph/shared/config';
import type { Logger } from '@commerce-supergraph/shared/logging';
import { GraphQLError } from 'graphql';
import { isIntrospectionOnly } from './executor.js';
import { type PersistedQueryManifest, parseManifest, printAsSent } from './persisted-documents.js';

/**
 * Persisted operations at the gateway, on Apollo Server's own persisted query support: the
 * manifest of gateway/operations/ (persisted-documents.ts) is the store Apollo Server looks ids up
 * in, so a client may send an operation's id instead of its text, as Apollo Client's persisted
 * query link does (`extensions.persistedQuery.sha256Hash`, POST or GET), or as Relay and the
 * GraphQL-over-HTTP persisted documents do (`documentId` or `doc_id`, an optional `sha256:` prefix).
 *
 * With GATEWAY_SAFELIST=true only those operations run: by id, or as a text that is one of them
 * (the exact body, or a text that prints to it, e.g. without the `__typename`s the body has).
 * Anything else is refused with OPERATION_NOT_SAFELISTED and HTTP 400 and never runs. Apollo Server
 * still parses and validates it (within the gateway's limits), but the answer is the refusal
 * whatever they found, so validation errors cannot be used to explore the schema. An unknown id is
 * Apollo's PERSISTED_QUERY_NOT_FOUND, and nothing can be registered. Introspection-only queries are
 * governed by GATEWAY_INTROSPECTION alone, so Sandbox can still read the schema where it is on.
 *
 * Without the safelist, every operation runs as before: the manifest's ids are known from the
 * start, and clients may still register other documents (Apollo's automatic persisted queries).
 */

export interface PersistedDocumentsConfig {
  /** GATEWAY_SAFELIST: only the manifest's operations run. */
  safelist: boolean;
  /** gateway/operations/persisted-query-manifest.json, from src/ and dist/ alike. */
  manifestPath: string;
}

export const OPERATION_NOT_SAFELISTED = 'OPERATION_NOT_SAFELISTED';
const NOT_SAFELISTED_MESSAGE =
  "Operation not in the safelist: this gateway runs only the frontends' persisted operations, sent by id or as their text.";

const DEFAULT_MANIFEST_PATH = fileURLToPath(new URL('../operations/persisted-query-manifest.json', import.meta.url));

export function readPersistedDocumentsConfig(reader: ConfigReader): PersistedDocumentsConfig {
  return { safelist: reader.bool('GATEWAY_SAFELIST', { default: false }), manifestPath: DEFAULT_MANIFEST_PATH };
}

export async function readManifest(path: string): Promise<PersistedQueryManifest> {
  try {
    return parseManifest(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `Cannot read the persisted operations at ${path} (run \`npm run operations:manifest\`): ${(error as Error).message}`,
    );
  }
}

type DocumentCache = NonNullable<PersistedQueryOptions['cache']>;

export interface PersistedDocuments<TContext extends BaseContext> {
  /** ApolloServer's `persistedQueries`. */
  persistedQueries: PersistedQueryOptions;
  /** The first of ApolloServer's `plugins`: it reads `documentId` before Apollo Server looks for a query. */
  plugin: ApolloServerPlugin<TContext>;
  /** Outside the safelist, documents that clients register go to the server's own cache, as by default. */
  attach(apollo: ApolloServer<TContext>): void;
}

export function createPersistedDocuments<TContext extends BaseContext>(
  manifest: PersistedQueryManifest,
  options: { safelist: boolean; introspection: boolean; log: Logger },
): PersistedDocuments<TContext> {
  const bodies = new Map(manifest.operations.map((operation) => [operation.id, operation.body]));
  const safelisted = new Set(bodies.values());
  let registrations: DocumentCache | undefined;
  // Apollo Server prefixes the keys it uses (`apq:<id>`); the id is what follows the last colon.
  const idOf = (key: string) => key.slice(key.lastIndexOf(':') + 1);
  const cache: DocumentCache = {
    async get(key) {
      return bodies.get(idOf(key)) ?? (await registrations?.get(key));
    },
    async set(key, value, setOptions) {
      await registrations?.set(key, value, setOptions);
    },
    async delete(key) {
      return registrations?.delete(key);
    },
  };
  options.log.info(
    { operations: bodies.size, safelist: options.safelist },
    options.safelist ? 'persisted operations loaded; only they run' : 'persisted operations loaded',
  );

  return {
    persistedQueries: { cache },
    attach(apollo) {
      if (!options.safelist) registrations = apollo.cache;
    },
    plugin: {
      async requestDidStart({ request }) {
        useDocumentId(request);
        if (!options.safelist || request.query === undefined) return {};
        // A persisted id alone is looked up by Apollo Server in the manifest, and only there.
        let allowed = safelisted.has(request.query);
        return {
          async didResolveOperation({ document, operation }) {
            if (!allowed) {
              const introspection = options.introspection && operation && isIntrospectionOnly(operation, document);
              allowed = introspection || safelisted.has(printAsSent(document));
            }
            if (!allowed) throw notSafelisted();
          },
          // Whatever else went wrong with a document that is not safelisted (it did not parse, or
          // did not validate) is not told: the answer is the refusal, always the same.
          async willSendResponse({ response }) {
            if (allowed) return;
            response.http.status = 400;
            response.body = {
              kind: 'single',
              singleResult: {
                errors: [{ message: NOT_SAFELISTED_MESSAGE, extensions: { code: OPERATION_NOT_SAFELISTED } }],
              },
            };
          },
        };
      },
    },
  };
}

const notSafelisted = () =>
  new GraphQLError(NOT_SAFELISTED_MESSAGE, { extensions: { code: OPERATION_NOT_SAFELISTED, http: { status: 400 } } });

/**
 * Relay and the GraphQL-over-HTTP persisted documents send `documentId` (or `doc_id`) in the body
 * or the URL, where Apollo Server looks for `extensions.persistedQuery`: the id is moved there.
 */
function useDocumentId(request: GraphQLRequest): void {
  if (request.query !== undefined || request.extensions?.persistedQuery !== undefined) return;
  const body = request.http?.body;
  const fromBody = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const search = new URLSearchParams(request.http?.search ?? '');
  const id = [fromBody.documentId, fromBody.doc_id, search.get('documentId'), search.get('doc_id')].find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  if (id === undefined) return;
  request.extensions = {
    ...request.extensions,
    persistedQuery: { version: 1, sha256Hash: id.replace(/^sha256:/, '') },
  };
}
