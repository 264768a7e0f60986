import { createLogger } from '@commerce-supergraph/shared/logging';
import { buildSchema, type GraphQLSchema, getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createGatewayErrorFormatter } from '../src/errors.js';
import type { GatewayLike } from '../src/executor.js';
import { SUBSCRIPTION_REQUIRES_WEBSOCKET, withLiveSchema } from '../src/live/http-schema.js';

/** The types of the composed API schema the subscriptions reuse, and a query. */
const composed = buildSchema(`
  scalar DateTime
  enum OrderStatus { PENDING CONFIRMED }
  enum PaymentStatus { SUCCEEDED FAILED }
  type Query { ping: String }
`);

/** A gateway as ApolloServer sees one: it loads `composed` and tells its listeners; its executor records calls. */
function fakeGateway(apiSchema = composed) {
  const executed: string[] = [];
  const listeners: ((context: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) => void)[] = [];
  const gateway = {
    onSchemaLoadOrUpdate(listener: (typeof listeners)[number]) {
      listeners.push(listener);
      return () => undefined;
    },
    stop: async () => undefined,
    async load() {
      for (const listener of listeners) listener({ apiSchema, coreSupergraphSdl: 'sdl' });
      return {
        schema: apiSchema,
        executor: async (requestContext: { operationName?: string | null }) => {
          executed.push(String(requestContext.operationName));
          return { data: { ping: 'pong' } };
        },
      };
    },
  } as unknown as GatewayLike;
  return { gateway, executed };
}

const log = createLogger('http-schema-test');

const contextOf = (query: string) => {
  const document = parse(query);
  const operation = getOperationAST(document);
  return { document, operation, operationName: operation?.name?.value, request: { query }, context: {} } as never;
};

describe('withLiveSchema', () => {
  it('hands every listener and load() one schema with the subscriptions added to the composed one', async () => {
    const { gateway } = fakeGateway();
    const live = withLiveSchema(gateway, log);
    const seen: GraphQLSchema[] = [];
    live.onSchemaLoadOrUpdate(({ apiSchema }) => seen.push(apiSchema));
    live.onSchemaLoadOrUpdate(({ apiSchema }) => seen.push(apiSchema));
    const { schema } = await live.load();
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(schema);
    expect(seen[1]).toBe(schema);
    expect(Object.keys(schema.getSubscriptionType()?.getFields() ?? {})).toEqual(['orderUpdated', 'myOrderUpdates']);
    expect(schema.getType('OrderUpdate')).toBeDefined();
    expect(schema.getQueryType()?.getFields().ping).toBeDefined();
    expect(composed.getSubscriptionType()).toBeUndefined();
  });

  it('serves a supergraph without the types the subscriptions reuse as it is, rather than failing', async () => {
    const bare = buildSchema('type Query { ping: String }');
    const { schema } = await withLiveSchema(fakeGateway(bare).gateway, log).load();
    expect(schema).toBe(bare);
  });

  it('answers a subscription itself, with the WebSocket code and HTTP 400, and passes queries on', async () => {
    const { gateway, executed } = fakeGateway();
    const { executor } = await withLiveSchema(gateway, log).load();
    const refused = await executor(contextOf('subscription Watch { myOrderUpdates { orderId } }'));
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.map((error) => error.extensions)).toEqual([
      { code: SUBSCRIPTION_REQUIRES_WEBSOCKET, http: { status: 400 } },
    ]);
    expect(refused.errors?.[0]?.message).toContain('WebSocket');
    expect(await executor(contextOf('query Ping { ping }'))).toEqual({ data: { ping: 'pong' } });
    expect(executed).toEqual(['Ping']);
  });

  it('keeps the message and code in production, where unknown codes are masked', () => {
    const formatted = createGatewayErrorFormatter(true)({
      message: 'Subscriptions are served over WebSocket only.',
      extensions: { code: SUBSCRIPTION_REQUIRES_WEBSOCKET, stacktrace: ['GraphQLError: ...'] },
    });
    expect(formatted).toEqual({
      message: 'Subscriptions are served over WebSocket only.',
      extensions: { code: SUBSCRIPTION_REQUIRES_WEBSOCKET },
    });
  });
});
