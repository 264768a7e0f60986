import { STATUS_CODES } from 'node:http';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { createLogger } from '@commerce-supergraph/shared/logging';
import type { GraphQLFormattedError } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/auth.js';
import { ForwardingDataSource, type ForwardingDataSourceOptions, isQuery } from '../src/data-source.js';
import { BUSY_MESSAGE, createGatewayErrorFormatter } from '../src/errors.js';
import { SubgraphBusyError, SubgraphUnreachableError } from '../src/subgraph-connections.js';

type Fetcher = ForwardingDataSource['fetcher'];
type Options = GraphQLDataSourceProcessOptions<GatewayContext>;

const URL = 'http://product.internal:4003/graphql';
const ENTITIES =
  'query Q__product__1($representations:[_Any!]!){_entities(representations:$representations){...on Product{name}}}';

function dataSource(fetcher: Fetcher, isPublic?: ForwardingDataSourceOptions['isPublic']) {
  return new ForwardingDataSource({
    name: 'product',
    url: URL,
    gatewaySecret: 'secret',
    fetcher,
    retryAfterSeconds: 7,
    isPublic,
  });
}

/** What the gateway hands the data source for one fetch of a client's operation. */
function fetchOf(
  query: string,
  variables: Record<string, unknown> = {},
  operation = 'query',
  authorization?: string,
): Options {
  const context: GatewayContext = {
    viewer: undefined,
    requestId: 'request-1',
    clientAddress: '127.0.0.1',
    log: createLogger('gateway-test', { LOG_LEVEL: 'silent' }),
    authorization,
  };
  return {
    kind: 'incoming operation',
    request: { query, variables },
    context,
    incomingRequestContext: { operation: { operation } },
    document: undefined,
    pathInIncomingRequest: [],
  } as unknown as Options;
}

const answer = (status: number, body: unknown, contentType = 'application/json') =>
  (async () =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      statusText: STATUS_CODES[status],
      headers: { 'content-type': contentType },
    })) as unknown as Fetcher;

const refused = (async () => {
  throw new SubgraphUnreachableError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
}) as unknown as Fetcher;

describe('ForwardingDataSource', () => {
  it('hands on a GraphQL answer that came with a non-2xx status as the subgraph wrote it', async () => {
    const written = {
      data: { me: null },
      errors: [{ message: 'Authentication required', path: ['me'], extensions: { code: 'UNAUTHENTICATED' } }],
    };
    const response = await dataSource(answer(401, written)).process(fetchOf('{me{id}}'));
    expect(response).toMatchObject(written);
  });

  it("adds the retry hint to a subgraph's own SERVICE_UNAVAILABLE (its database away): retryable for queries only", async () => {
    const outage = {
      data: { placeOrder: null },
      errors: [
        {
          message: 'Service temporarily unavailable',
          path: ['placeOrder'],
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        },
      ],
    };
    const other = { message: 'Authentication required', path: ['me'], extensions: { code: 'UNAUTHENTICATED' } };
    const mutation = await dataSource(answer(200, { ...outage, errors: [...outage.errors, other] })).process(
      fetchOf('mutation{placeOrder{id}}', {}, 'mutation'),
    );
    expect(mutation.errors).toEqual([
      { ...outage.errors[0], extensions: { code: 'SERVICE_UNAVAILABLE', retryable: false, retryAfterSeconds: 7 } },
      other,
    ]);
    const query = await dataSource(answer(200, outage)).process(fetchOf('{placeOrder{id}}'));
    expect(query.errors?.[0]?.extensions).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
      retryAfterSeconds: 7,
    });
  });

  it('answers an overloaded subgraph (503 SERVICE_UNAVAILABLE, no data) like one that is away: the error at each path', async () => {
    const overloaded = {
      errors: [{ message: 'Service temporarily unavailable', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
    };
    const response = await dataSource(answer(503, overloaded)).process(
      fetchOf(ENTITIES, {
        representations: [
          { __typename: 'Product', id: '1' },
          { __typename: 'Product', id: '2' },
        ],
      }),
    );
    const extensions = { code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfterSeconds: 7 };
    expect(response.errors).toEqual([
      { message: 'Service temporarily unavailable', path: ['_entities', 0], extensions },
      { message: 'Service temporarily unavailable', path: ['_entities', 1], extensions },
    ]);
  });

  it('turns a refused gateway secret (403) into an internal error, never FORBIDDEN', async () => {
    const process = dataSource(answer(403, { errors: [{ message: 'Missing or invalid gateway secret' }] })).process(
      fetchOf('{me{id}}'),
    );
    await expect(process).rejects.toMatchObject({
      message: 'A subgraph refused the gateway',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it("does not pass the subgraph's refusal of the gateway's own subquery off as the client's mistake", async () => {
    const invalid = {
      errors: [{ message: 'Cannot query field "x"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
    };
    const response = await dataSource(answer(400, invalid)).process(fetchOf('{x}'));
    expect(response.errors).toEqual([
      {
        message: 'Cannot query field "x"',
        extensions: { code: 'INTERNAL_SERVER_ERROR', subgraphCode: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);
  });

  it('keeps BAD_USER_INPUT from a 400: a variable the subgraph could not take is the client input', async () => {
    const badInput = {
      errors: [{ message: 'Variable "$p" got invalid value', extensions: { code: 'BAD_USER_INPUT' } }],
    };
    const response = await dataSource(answer(400, badInput)).process(fetchOf('query($p:Decimal){x(p:$p)}'));
    expect(response.errors).toEqual(badInput.errors);
  });

  it('answers SERVICE_UNAVAILABLE at each root field when the subgraph does not answer', async () => {
    const response = await dataSource(refused).process(fetchOf('{product(id:"1"){name} b:brands{id} __typename}'));
    const extensions = { code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfterSeconds: 7 };
    expect(response).toEqual({
      errors: [
        { message: 'Service temporarily unavailable', path: ['product'], extensions },
        { message: 'Service temporarily unavailable', path: ['b'], extensions },
      ],
    });
  });

  it('answers SERVICE_UNAVAILABLE for each entity of an entity fetch, where the gateway puts it in place', async () => {
    const representations = [
      { __typename: 'Product', id: 'a' },
      { __typename: 'Product', id: 'b' },
    ];
    const response = await dataSource(refused).process(fetchOf(ENTITIES, { representations }, 'mutation'));
    expect(response.errors?.map((error) => [error.path, error.extensions])).toEqual([
      [['_entities', 0], { code: 'SERVICE_UNAVAILABLE', retryable: false, retryAfterSeconds: 7 }],
      [['_entities', 1], { code: 'SERVICE_UNAVAILABLE', retryable: false, retryAfterSeconds: 7 }],
    ]);
  });

  it('answers TOO_MANY_REQUESTS at each path when the fetch found no connection in time and was not sent', async () => {
    const busy = (async () => {
      throw new SubgraphBusyError();
    }) as unknown as Fetcher;
    const response = await dataSource(busy).process(fetchOf('{product(id:"1"){name}}'));
    expect(response).toEqual({
      errors: [
        {
          message: BUSY_MESSAGE,
          path: ['product'],
          extensions: { code: 'TOO_MANY_REQUESTS', retryable: true, retryAfterSeconds: 1 },
        },
      ],
    });
    // In production too, with its hint: the client is told to come back in a moment.
    expect(createGatewayErrorFormatter(true)(response.errors?.[0] as GraphQLFormattedError)).toEqual(
      response.errors?.[0],
    );
  });

  it('takes 502, 503 and 504 without a GraphQL body for a subgraph that is away; other statuses are internal', async () => {
    for (const status of [502, 503, 504]) {
      const response = await dataSource(answer(status, '<html>Bad gateway</html>', 'text/html')).process(
        fetchOf('{me{id}}'),
      );
      expect(response.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    }
    await expect(dataSource(answer(500, 'oops', 'text/plain')).process(fetchOf('{me{id}}'))).rejects.toMatchObject({
      message: '500: Internal Server Error',
    });
  });

  it('sends a query once more when its connection was lost, a mutation never', async () => {
    const calls: string[] = [];
    const lostOnce = (async (_url: string, init: { body: string }) => {
      calls.push(init.body);
      if (calls.length === 1) {
        throw new SubgraphUnreachableError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
      }
      return new Response(JSON.stringify({ data: { x: 1 } }), { headers: { 'content-type': 'application/json' } });
    }) as unknown as Fetcher;

    expect(await dataSource(lostOnce).process(fetchOf('{x}'))).toMatchObject({ data: { x: 1 } });
    expect(calls).toHaveLength(2);

    calls.length = 0;
    const response = await dataSource(lostOnce).process(fetchOf('mutation{touch(id:"1"){id}}', {}, 'mutation'));
    expect(calls).toHaveLength(1);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: false });
  });

  it("sends the caller's credential with every fetch but a public one, and the secret, request id and address with all", async () => {
    const sent: Record<string, string>[] = [];
    const recording = (async (_url: string, init: { headers: Record<string, string> }) => {
      sent.push(init.headers);
      return new Response(JSON.stringify({ data: { x: 1 } }), { headers: { 'content-type': 'application/json' } });
    }) as unknown as Fetcher;
    const source = dataSource(recording, (request) => request.query === ENTITIES);
    await source.process(fetchOf(ENTITIES, { representations: [] }, 'query', 'Bearer alice'));
    await source.process(fetchOf('{products{id}}', {}, 'query', 'Bearer alice'));
    expect(sent[0]).toMatchObject({ 'x-gateway-secret': 'secret', 'x-request-id': 'request-1' });
    expect(sent[0]).not.toHaveProperty('authorization');
    expect(sent[1]).toMatchObject({ 'x-gateway-secret': 'secret', authorization: 'Bearer alice' });
  });

  it('tells a query fetch from a mutation fetch by the operation the planner printed', () => {
    expect(isQuery('{me{id}}')).toBe(true);
    expect(isQuery('query Q__customer__0{me{id}}')).toBe(true);
    expect(isQuery(ENTITIES)).toBe(true);
    expect(isQuery('mutation M__order__0($input:PlaceOrderInput!){placeOrder(input:$input){order{id}}}')).toBe(false);
    expect(isQuery('subscription{x}')).toBe(false);
    expect(isQuery(undefined)).toBe(false);
  });
});
