import 'reflect-metadata';
import { buildSubgraphSchema, type GraphQLResolverMap, printSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { type GraphQLSchema, parse } from 'graphql';
import { type BuildSchemaOptions, buildSchema, createResolversMap } from 'type-graphql';
import { scalarsMap } from './scalars.js';

/**
 * The one place that names the federation spec and the directives subgraphs may use.
 * v2.7 is understood by both @apollo/composition 2.14 and @apollo/gateway 2.14.
 */
const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible", "@override", "@tag"])';

/** `__resolveReference` (and any other hand-written resolvers) per type name. */
export type ReferenceResolvers = Record<string, Record<string, unknown>>;

export interface SubgraphSchemaOptions {
  resolvers: BuildSchemaOptions['resolvers'];
  /** Types no resolver returns directly, such as entity stubs of other subgraphs. */
  orphanedTypes?: BuildSchemaOptions['orphanedTypes'];
  referenceResolvers?: ReferenceResolvers;
}

/**
 * type-graphql builds the schema from the decorated classes; @apollo/subgraph turns its SDL (with
 * the `@key`/`@requires` directives type-graphql recorded) into a federated subgraph schema.
 */
export async function buildFederatedSchema(options: SubgraphSchemaOptions): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    scalarsMap,
    validate: false,
    // Federation directives are not defined in the type-graphql schema; the subgraph build checks them.
    skipCheck: true,
  });
  const typeDefs = parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`);
  const resolvers = mergeResolvers(createResolversMap(schema) as GraphQLResolverMap, options.referenceResolvers ?? {});
  return buildSubgraphSchema([{ typeDefs, resolvers }]);
}

/** The SDL a subgraph contributes to composition: what `schema.graphql` holds. */
export const printFederatedSchema = (schema: GraphQLSchema): string => `${printSubgraphSchema(schema).trim()}\n`;

function mergeResolvers(generated: GraphQLResolverMap, extra: ReferenceResolvers): GraphQLResolverMap {
  const merged: GraphQLResolverMap = { ...generated };
  for (const [typeName, fields] of Object.entries(extra)) {
    merged[typeName] = { ...(generated[typeName] as object), ...fields } as GraphQLResolverMap[string];
  }
  return merged;
}
