import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { CLIENT_ADDRESS_HEADER, GATEWAY_SECRET_HEADER } from '@commerce-supergraph/shared/auth/gateway-secret';
import { GraphQLError, type GraphQLFormattedError, Kind, parse, type SelectionSetNode } from 'graphql';
import type { GatewayContext } from './auth.js';
import { BUSY_MESSAGE, SERVICE_UNAVAILABLE, SUBGRAPH_BUSY, UNAVAILABLE_MESSAGE } from './errors.js';
import { SubgraphBusyError, SubgraphUnreachableError } from './subgraph-connections.js';

const REQUEST_ID_HEADER = 'x-request-id';
/** Statuses a proxy or load balancer in front of a subgraph answers when the subgraph is away. */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);
/**
 * Codes a subgraph gives a request it could not run at all. The gateway wrote that request (the
 * query plan), not the client, so the client must not read them as its own operation being wrong.
 */
const REQUEST_REFUSED_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;
type FetcherResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];
type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

export interface ForwardingDataSourceOptions {
  /** The subgraph's name, for the log. */
  name: string;
  url: string;
  gatewaySecret: string;
  fetcher: RemoteGraphQLDataSource['fetcher'];
  /** The `retryAfterSeconds` of a SERVICE_UNAVAILABLE error. */
  retryAfterSeconds: number;
  /**
   * Whether a fetch reads only what the subgraph answers alike for every caller (the catalog's
   * entities): it is sent without the caller's credential, so its answer can be shared and cached.
   */
  isPublic?: (request: ProcessOptions['request']) => boolean;
}

/**
 * Every subgraph fetch carries the gateway secret (subgraphs refuse anything without it, health
 * checks included). Fetches made for a client also carry its request id and address, and its
 * credential unless the fetch is public (`isPublic`); nothing else of the client's request is passed on.
 *
 * What comes back reaches the client as the subgraph wrote it, whatever the HTTP status, and a
 * subgraph that does not answer becomes SERVICE_UNAVAILABLE at the paths it was asked for, so the
 * rest of the response (an order just stored, say) is still served.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly gatewaySecret: string;
  private readonly subgraph: string;
  private readonly retryAfterSeconds: number;
  private readonly isPublic: (request: ProcessOptions['request']) => boolean;
  /** Busy refusals since the last one logged. */
  private busyRefusals = { count: 0, loggedAt: Number.NEGATIVE_INFINITY };

  constructor(options: ForwardingDataSourceOptions) {
    super({ url: options.url, fetcher: options.fetcher });
    this.gatewaySecret = options.gatewaySecret;
    this.subgraph = options.name;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.isPublic = options.isPublic ?? (() => false);
  }

  /** Every header the fetch is sent with. */
  private headersFor(options: ProcessOptions): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [GATEWAY_SECRET_HEADER]: this.gatewaySecret,
    };
    // `GraphQLDataSourceRequestKind` is declared by @apollo/gateway's types but not exported at run
    // time, so the fetch made for a client is recognised by the field only that variant has.
    if (!('incomingRequestContext' in options)) return headers;
    const { authorization, requestId, clientAddress } = options.context;
    if (authorization !== undefined && !this.isPublic(options.request)) headers.authorization = authorization;
    headers[REQUEST_ID_HEADER] = requestId;
    headers[CLIENT_ADDRESS_HEADER] = clientAddress;
    return headers;
  }

  override async process(options: ProcessOptions): Promise<SubgraphResponse> {
    try {
      return await this.processOnce(options);
    } catch (error) {
      if (error instanceof SubgraphUnreachableError && error.connectionLost && isQuery(options.request.query)) {
        // The connection closed under a request that got no answer. A query fetch only reads, so
        // sending it once more on a fresh connection cannot change anything twice; a mutation
        // fetch is never sent again (it may have run).
        this.log(options)?.warn(
          { subgraph: this.subgraph, code: error.code },
          'subgraph connection lost; query sent again',
        );
        try {
          return await this.processOnce(options);
        } catch (again) {
          return this.unavailable(options, again);
        }
      }
      return this.unavailable(options, error);
    }
  }

  private async processOnce(options: ProcessOptions): Promise<SubgraphResponse> {
    try {
      const response = await this.send(options);
      return { ...response, errors: this.withRetryHints(options, response.errors?.map(refusedRequestAsInternal)) };
    } catch (error) {
      if (error instanceof SubgraphAnswer)
        return { ...error.response, errors: this.withRetryHints(options, error.errors) };
      throw error;
    }
  }

  /**
   * What RemoteGraphQLDataSource's `process` does for this gateway, which uses neither automatic
   * persisted queries nor subgraphs' cache-control headers, without the node-fetch `Request` and
   * `Headers` it builds for every fetch only to hand to hooks this class does not use: a profile of
   * the gateway under the Dashboard load put them at 6% of its CPU.
   */
  private async send(options: ProcessOptions): Promise<SubgraphResponse> {
    const { http: _incoming, ...request } = options.request;
    if (!request.query) throw new Error('Missing query');
    const init = { method: 'POST', headers: this.headersFor(options), body: JSON.stringify(request) };
    const response = await this.fetcher(this.url, init);
    if (!response.ok) throw await this.errorFromResponse(response);
    const body = await this.parseBody(response);
    if (typeof body !== 'object' || body === null)
      throw new Error(`Expected JSON response body, but received: ${body}`);
    return { ...body, http: response } as SubgraphResponse;
  }

  /**
   * A subgraph that answered but could not do the work now (its database away) says
   * SERVICE_UNAVAILABLE itself; the gateway adds the same retry hint as for a subgraph that did not
   * answer, since only it knows whether the client's operation was a query or a mutation.
   */
  private withRetryHints(options: ProcessOptions, errors: readonly GraphQLFormattedError[] | undefined) {
    if (!errors?.some((error) => error.extensions?.code === SERVICE_UNAVAILABLE)) return errors;
    const hint = this.retryHint(options);
    return errors.map((error) =>
      error.extensions?.code === SERVICE_UNAVAILABLE
        ? { ...error, extensions: { ...error.extensions, ...hint } }
        : error,
    );
  }

  private retryHint(options: ProcessOptions) {
    const incoming = 'incomingRequestContext' in options ? options.incomingRequestContext : undefined;
    return {
      // Sending a query again is harmless. A mutation may already have run when a later fetch
      // failed, or may have reached the subgraph before its connection failed.
      retryable: incoming?.operation?.operation !== 'mutation',
      retryAfterSeconds: this.retryAfterSeconds,
    };
  }

  /**
   * A subgraph reports its errors inside the GraphQL response, but may pick a non-2xx status for it
   * (e.g. 401 for UNAUTHENTICATED with partial data): such a response is handed on as a response,
   * not turned into a failed fetch. HTTP 403 with no GraphQL answer of its own is the gateway secret
   * being refused: a deployment fault, which Apollo would otherwise show the client as FORBIDDEN.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const body = await this.parseBody(response).catch(() => undefined);
    if (response.status === 403) {
      return new GraphQLError('A subgraph refused the gateway', {
        extensions: { code: 'INTERNAL_SERVER_ERROR', response: { status: response.status, body } },
      });
    }
    if (isGraphQLResponse(body)) {
      // A subgraph that refused the whole request because it is overloaded (503 SERVICE_UNAVAILABLE,
      // no data) is answered like one that is away: the error at each path it was to fill.
      if (UNAVAILABLE_STATUSES.has(response.status) && isRefusal(body))
        return new SubgraphUnavailableStatus(response.status);
      return new SubgraphAnswer(body);
    }
    if (UNAVAILABLE_STATUSES.has(response.status)) return new SubgraphUnavailableStatus(response.status);
    return new GraphQLError(`${response.status}: ${response.statusText}`, {
      extensions: { response: { status: response.status, statusText: response.statusText, body } },
    });
  }

  /**
   * The answer broke off while its body was read (the subgraph went away mid-response): as good as
   * no answer. A body that arrived whole but is not JSON stays an internal error.
   */
  override async parseBody(
    ...args: Parameters<RemoteGraphQLDataSource<GatewayContext>['parseBody']>
  ): Promise<object | string> {
    try {
      return await super.parseBody(...args);
    } catch (error) {
      if (error instanceof SyntaxError) throw error;
      throw new SubgraphUnreachableError(error);
    }
  }

  /**
   * The fetch got no usable answer. A subgraph that is down answers SERVICE_UNAVAILABLE at the
   * paths this fetch was to fill: one per entity for an entity fetch (e.g. each order line's
   * `product`), one per root field otherwise. Anything else is rethrown, as an internal error.
   */
  private unavailable(options: ProcessOptions, error: unknown): SubgraphResponse {
    if (error instanceof SubgraphBusyError) return this.busy(options);
    if (!(error instanceof SubgraphUnreachableError || error instanceof SubgraphUnavailableStatus)) throw error;
    const log = this.log(options);
    log?.warn(
      {
        subgraph: this.subgraph,
        code: error instanceof SubgraphUnreachableError ? error.code : undefined,
        status: error instanceof SubgraphUnavailableStatus ? error.status : undefined,
      },
      'subgraph unavailable',
    );
    const extensions = { code: SERVICE_UNAVAILABLE, ...this.retryHint(options) };
    const errors = unavailablePaths(options.request).map(
      (path): GraphQLFormattedError => ({ message: UNAVAILABLE_MESSAGE, ...(path && { path }), extensions }),
    );
    return { errors };
  }

  /**
   * The fetch was not sent (no connection came free in time): TOO_MANY_REQUESTS at its paths.
   * Logged at most once a second, with how many were refused: an overload refuses thousands.
   */
  private busy(options: ProcessOptions): SubgraphResponse {
    this.busyRefusals.count += 1;
    if (performance.now() - this.busyRefusals.loggedAt >= 1_000) {
      const refused = this.busyRefusals.count;
      this.busyRefusals = { count: 0, loggedAt: performance.now() };
      this.log(options)?.warn({ subgraph: this.subgraph, refused }, 'subgraph busy; fetches refused unsent');
    }
    const extensions = { code: SUBGRAPH_BUSY, ...this.retryHint(options), retryAfterSeconds: 1 };
    const errors = unavailablePaths(options.request).map(
      (path): GraphQLFormattedError => ({ message: BUSY_MESSAGE, ...(path && { path }), extensions }),
    );
    return { errors };
  }

  private log(options: ProcessOptions) {
    return 'incomingRequestContext' in options ? options.context.log : undefined;
  }
}

/** A non-2xx response that is a GraphQL answer, carried out of the data source's fetch to `process`. */
class SubgraphAnswer extends GraphQLError {
  readonly errors: GraphQLFormattedError[];

  constructor(readonly response: { data?: Record<string, unknown> | null; errors: GraphQLFormattedError[] }) {
    super('a subgraph answered with a non-2xx status');
    this.errors = response.errors.map(refusedRequestAsInternal);
  }
}

class SubgraphUnavailableStatus extends GraphQLError {
  constructor(readonly status: number) {
    super(`the subgraph is unavailable (HTTP ${status})`);
  }
}

function isGraphQLResponse(
  body: unknown,
): body is { data?: Record<string, unknown> | null; errors: GraphQLFormattedError[] } {
  if (typeof body !== 'object' || body === null) return false;
  const { errors, data } = body as { errors?: unknown; data?: unknown };
  return (
    Array.isArray(errors) &&
    errors.length > 0 &&
    errors.every((error) => typeof error === 'object' && error !== null && typeof error.message === 'string') &&
    (data === undefined || data === null || typeof data === 'object')
  );
}

/** No data, and nothing but SERVICE_UNAVAILABLE: the subgraph ran none of the request. */
function isRefusal(body: { data?: unknown; errors: GraphQLFormattedError[] }): boolean {
  return (
    (body.data === undefined || body.data === null) &&
    body.errors.every((error) => error.extensions?.code === SERVICE_UNAVAILABLE)
  );
}

function refusedRequestAsInternal(error: GraphQLFormattedError): GraphQLFormattedError {
  const code = error.extensions?.code;
  if (typeof code !== 'string' || !REQUEST_REFUSED_CODES.has(code)) return error;
  return { ...error, extensions: { ...error.extensions, code: 'INTERNAL_SERVER_ERROR', subgraphCode: code } };
}

/** The query planner prints each fetch as one operation: `query ...`, `{...}` or `mutation ...`. */
export function isQuery(operation: string | undefined): boolean {
  return operation !== undefined && /^\s*(query\b|\{)/.test(operation);
}

/**
 * Where the fetch's data would have gone, relative to the fetch: `["_entities", i]` for each
 * representation of an entity fetch (the gateway maps it onto that entity's place in the
 * response), otherwise each root field's response name. `undefined` when there is none to name.
 */
function unavailablePaths(request: ProcessOptions['request']): ((string | number)[] | undefined)[] {
  const representations = request.variables?.representations;
  if (Array.isArray(representations) && representations.length > 0) {
    return representations.map((_, index) => ['_entities', index]);
  }
  const names = rootResponseNames(request.query);
  return names.length > 0 ? names.map((name) => [name]) : [undefined];
}

function rootResponseNames(query: string | undefined): string[] {
  if (!query) return [];
  try {
    const operation = parse(query).definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    return operation ? [...new Set(responseNames(operation.selectionSet))] : [];
  } catch {
    return [];
  }
}

function responseNames(selectionSet: SelectionSetNode): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) {
      const name = selection.alias?.value ?? selection.name.value;
      return name === '__typename' ? [] : [name];
    }
    return selection.kind === Kind.INLINE_FRAGMENT ? responseNames(selection.selectionSet) : [];
  });
}
