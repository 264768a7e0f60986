import { buildFederatedSchema } from '@commerce-supergraph/shared/graphql/federation';
import type { GraphQLSchema } from 'graphql';
import { CustomerOrdersResolver } from './customer-orders-resolver.js';
import { OrderMutations } from './order-mutations.js';
import { OrderItemResolver, OrderResolver, orderReferenceResolvers } from './order-resolver.js';
import { CustomerRef } from './refs/customer.js';

/** The order subgraph's schema; also what `npm run schema:emit` prints. */
export function createSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [OrderResolver, OrderItemResolver, OrderMutations, CustomerOrdersResolver],
    orphanedTypes: [CustomerRef],
    referenceResolvers: orderReferenceResolvers,
  });
}
