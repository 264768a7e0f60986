import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import type { Viewer } from '@commerce-supergraph/shared/auth/jwt';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayContext } from '../auth.js';
import type { PersistedQueryManifest } from '../persisted-documents.js';
import type { OrderSnapshot } from './subscriptions.js';
import type { OrderStatus } from './updates.js';

const OPERATION = 'LiveOrder';

interface LiveOrder {
  id: string;
  status: OrderStatus;
  rejectionReason: string | null;
  cancellationReason: string | null;
  updatedAt: string;
  payment: { status: 'SUCCEEDED' | 'FAILED'; failureReason: string | null } | null;
}

/**
 * Reads one order as the subscriber, through the gateway's own query path: the order subgraph
 * authorizes exactly as for `order(id)`, so a customer can subscribe to no order they could not read.
 * The document is the persisted `LiveOrder` (gateway/operations/live.graphql), so it runs under the safelist too.
 */
export function createOrderSnapshot(
  apollo: () => ApolloServer<GatewayContext> | undefined,
  manifest: PersistedQueryManifest,
  log: Logger,
): (viewer: Viewer) => OrderSnapshot {
  const query = manifest.operations.find((operation) => operation.name === OPERATION)?.body;
  if (!query) throw new Error(`The persisted operations have no ${OPERATION} (run npm run operations:manifest)`);
  return (viewer) => async (orderId, authorization) => {
    const server = apollo();
    if (!server) throw new GraphQLError('The gateway is stopping', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
    const requestId = randomUUID();
    const contextValue: GatewayContext = {
      viewer,
      requestId,
      authorization,
      clientAddress: 'live',
      log: log.child({ requestId, viewer: viewer.customerId }),
    };
    const response = await server.executeOperation<{ order: LiveOrder | null }>(
      { query, variables: { id: orderId } },
      { contextValue },
    );
    const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
    const order = result?.data?.order;
    if (!order) {
      const code = result?.errors?.[0]?.extensions?.code;
      // Another customer's order and a missing one look the same: nothing tells which ids exist.
      const known = code === 'SERVICE_UNAVAILABLE' || code === 'UNAUTHENTICATED' ? code : 'FORBIDDEN';
      throw new GraphQLError(known === 'FORBIDDEN' ? 'No such order of yours' : String(result?.errors?.[0]?.message), {
        extensions: { code: known },
      });
    }
    return {
      orderId: order.id,
      customerId: viewer.customerId,
      status: order.status,
      paymentStatus: order.payment?.status ?? null,
      reason: order.rejectionReason ?? order.payment?.failureReason ?? order.cancellationReason ?? null,
      occurredAt: order.updatedAt,
      eventId: `snapshot:${requestId}`,
    };
  };
}
