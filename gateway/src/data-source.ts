import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { CLIENT_ADDRESS_HEADER, GATEWAY_SECRET_HEADER } from '@commerce-supergraph/shared/auth/gateway-secret';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './auth.js';

const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Every subgraph fetch carries the gateway secret (subgraphs refuse anything without it, health
 * checks included). Fetches made for a client also carry its credential, request id and address;
 * nothing else of the client's request is passed on.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly gatewaySecret: string,
    fetcher: RemoteGraphQLDataSource['fetcher'],
  ) {
    super({ url, fetcher });
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = options.request.http?.headers;
    if (!headers) return;
    headers.set(GATEWAY_SECRET_HEADER, this.gatewaySecret);
    // `GraphQLDataSourceRequestKind` is declared by @apollo/gateway's types but not exported at run
    // time, so the fetch made for a client is recognised by the field only that variant has.
    if (!('incomingRequestContext' in options)) return;
    const { authorization, requestId, clientAddress } = options.context;
    if (authorization !== undefined) headers.set('authorization', authorization);
    headers.set(REQUEST_ID_HEADER, requestId);
    headers.set(CLIENT_ADDRESS_HEADER, clientAddress);
  }

  /**
   * Subgraphs report authorization problems inside a 200 response, so an HTTP 403 can only be the
   * gateway secret being refused: a deployment fault, which Apollo would otherwise show the client
   * as FORBIDDEN, as if it were the client's. (A 401 stays UNAUTHENTICATED: the token may have
   * expired between the edge's check and the subgraph's.)
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const error = await super.errorFromResponse(response);
    if (response.status !== 403) return error;
    return new GraphQLError('A subgraph refused the gateway', {
      extensions: { ...error.extensions, code: 'INTERNAL_SERVER_ERROR' },
    });
  }
}

type FetcherResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];
