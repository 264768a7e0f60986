import { buildFederatedSchema } from '@commerce-supergraph/shared/graphql/federation';
import type { GraphQLSchema } from 'graphql';
import { AdjustResolver } from './adjust-resolver.js';
import { CreditStatusResolver, CustomerCreditResolver, creditReferenceResolvers } from './customer-credit-resolver.js';
import { CustomerRef } from './refs/customer.js';

/** The credit-status subgraph's schema; also what `npm run schema:emit` prints. */
export function createSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [CustomerCreditResolver, CreditStatusResolver, AdjustResolver],
    orphanedTypes: [CustomerRef],
    referenceResolvers: creditReferenceResolvers,
  });
}
