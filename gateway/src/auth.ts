import type { RequestContext } from '@commerce-supergraph/shared/auth/context';
import type { TokenVerifier } from '@commerce-supergraph/shared/auth/jwt';
import { verifyViewer } from '@commerce-supergraph/shared/auth/viewer';
import type { GraphQLHttpRequest } from '@commerce-supergraph/shared/http/server';
import type { Logger } from '@commerce-supergraph/shared/logging';
import type { TrustedProxies } from './client-address.js';

/** What the gateway knows about one request, and what it forwards to every subgraph fetch. */
export interface GatewayContext extends RequestContext {
  /** The client's header as sent: the subgraphs verify the very same credential again. */
  authorization: string | undefined;
}

/**
 * Verifies the JWT at the edge with the same rule as the subgraphs: no header is anonymous, a
 * header that does not verify is UNAUTHENTICATED with HTTP 401 before any query planning.
 */
export function createContextFunction(tokens: TokenVerifier, proxies: TrustedProxies, log: Logger) {
  return async ({ headers, requestId, remoteAddress }: GraphQLHttpRequest): Promise<GatewayContext> => {
    const authorization = headers.authorization;
    const viewer = verifyViewer(tokens, authorization);
    return {
      viewer,
      requestId,
      // One child of the gateway's logger with both bindings, not a child of the request's child.
      log: log.child({ requestId, viewer: viewer?.customerId }),
      authorization,
      // The gateway's peer, or the client a trusted proxy names (TRUSTED_PROXIES): subgraphs rate-limit by it.
      clientAddress: proxies.clientAddress(remoteAddress, headers['x-forwarded-for']),
    };
  };
}
