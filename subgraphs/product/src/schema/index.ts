import { buildFederatedSchema } from '@commerce-supergraph/shared/graphql/federation';
import type { GraphQLSchema } from 'graphql';
import { CatalogResolver } from './catalog-resolver.js';
import { ProductResolver, productReferenceResolvers } from './product-resolver.js';

/** The product subgraph's schema; also what `npm run schema:emit` prints. */
export function createSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [ProductResolver, CatalogResolver],
    referenceResolvers: productReferenceResolvers,
  });
}
