import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GraphQLSchema } from 'graphql';
import type { SubgraphEntry } from './supergraph-config.ts';

/**
 * Prints a subgraph's SDL from its code: every subgraph's built `schema/index.js` exports
 * `createSchema()`, and the shared adapter prints it the way composition reads it.
 */
export async function printSubgraphSdl(subgraph: SubgraphEntry): Promise<string> {
  const module = (await import(pathToFileURL(join(subgraph.workspace, 'dist/schema/index.js')).href)) as {
    createSchema?: () => Promise<GraphQLSchema>;
  };
  if (typeof module.createSchema !== 'function') {
    throw new Error(`${subgraph.name}: dist/schema/index.js does not export createSchema(); run npm run build`);
  }
  const { printFederatedSchema } = await import('@commerce-supergraph/shared/graphql/federation');
  return printFederatedSchema(await module.createSchema());
}
