import type { Logger } from '@commerce-supergraph/shared/logging';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { GatewayLike } from '../executor.js';
import { withSubscriptions } from './sdl.js';

/** The code of a subscription sent over HTTP (docs/api.md, Live order status); client-safe in production. */
export const SUBSCRIPTION_REQUIRES_WEBSOCKET = 'SUBSCRIPTION_REQUIRES_WEBSOCKET';
export const SUBSCRIPTION_REQUIRES_WEBSOCKET_MESSAGE =
  'Subscriptions are served over WebSocket only: connect with graphql-ws (subprotocol graphql-transport-ws) to this same URL, /graphql.';

/**
 * Hands Apollo Server the API schema with the gateway's subscriptions (sdl.ts) instead of the bare
 * composed one, so what HTTP introspection answers (Apollo Sandbox, GraphiQL, code generators) is
 * the schema the frontends are written against, Subscription and OrderUpdate included. Apollo
 * Server validates against it and runs introspection-only queries on it (executor.ts); queries and
 * mutations are still planned by the gateway on its own copy of the composed schema, unchanged.
 *
 * A subscription is now valid over HTTP too, but the query planner has no Subscription type and
 * would fail inside: it is answered here, before planning, with SUBSCRIPTION_REQUIRES_WEBSOCKET
 * and HTTP 400, pointing the client at graphql-ws on the same URL (live/server.ts).
 *
 * Every listener (Apollo Server's, the WebSocket server's) gets the same extended schema object
 * for one composed schema, so both sides validate against one schema. A supergraph without the
 * types the subscriptions reuse (OrderStatus, PaymentStatus, DateTime: a test fixture's) is served
 * as it is, without subscriptions, and logged: the gateway's queries do not depend on them.
 */
export function withLiveSchema(gateway: GatewayLike, log: Logger): GatewayLike {
  const extended = new WeakMap<GraphQLSchema, GraphQLSchema>();
  const extend = (api: GraphQLSchema): GraphQLSchema => {
    let schema = extended.get(api);
    if (!schema) {
      try {
        schema = withSubscriptions(api);
      } catch (error) {
        log.error({ err: error }, 'the supergraph lacks the types of the live subscriptions: served without them');
        schema = api;
      }
      extended.set(api, schema);
    }
    return schema;
  };
  return {
    onSchemaLoadOrUpdate: (callback) =>
      gateway.onSchemaLoadOrUpdate((context) => callback({ ...context, apiSchema: extend(context.apiSchema) })),
    stop: () => gateway.stop(),
    async load(options) {
      const loaded = await gateway.load(options);
      return {
        schema: extend(loaded.schema),
        executor: async (requestContext) => {
          if (requestContext.operation?.operation !== 'subscription') return loaded.executor(requestContext);
          return { errors: [subscriptionOverHttpError()] };
        },
      };
    },
  };
}

export function subscriptionOverHttpError(): GraphQLError {
  return new GraphQLError(SUBSCRIPTION_REQUIRES_WEBSOCKET_MESSAGE, {
    extensions: { code: SUBSCRIPTION_REQUIRES_WEBSOCKET, http: { status: 400 } },
  });
}
