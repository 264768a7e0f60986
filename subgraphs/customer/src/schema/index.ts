import { buildFederatedSchema } from '@commerce-supergraph/shared/graphql/federation';
import type { GraphQLSchema } from 'graphql';
import { AuthResolver } from './auth-resolver.js';
import { CustomerResolver, customerReferenceResolvers } from './customer-resolver.js';
import { DeletionResolver } from './deletion-resolver.js';
import { ProfileResolver } from './profile-resolver.js';
import { SessionResolver } from './session-resolver.js';

/** The customer subgraph's schema; also what `npm run schema:emit` prints. */
export function createSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [CustomerResolver, AuthResolver, ProfileResolver, SessionResolver, DeletionResolver],
    referenceResolvers: customerReferenceResolvers,
  });
}
