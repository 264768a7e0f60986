import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { apiSchemaOf } from './schema-breaking.ts';
import { REPO_ROOT } from './supergraph-config.ts';

/**
 * The schema the frontends are written against: the committed supergraph's API schema, extended by
 * the subscriptions the gateway serves itself (gateway/src/live/sdl.ts, run from its build).
 */
export async function readFrontendSchema(root = REPO_ROOT): Promise<GraphQLSchema> {
  return withGatewaySubscriptions(apiSchemaOf(await readFile(join(root, 'supergraph.graphql'), 'utf8')));
}

export async function withGatewaySubscriptions(api: GraphQLSchema): Promise<GraphQLSchema> {
  const { withSubscriptions } = await import('@commerce-supergraph/gateway/live/sdl');
  return withSubscriptions(api);
}
