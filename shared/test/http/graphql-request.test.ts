import { ApolloServer } from '@apollo/server';
import { buildSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestErrorPlugins } from '../../src/graphql/request-errors.js';
import { createGraphQLHttpServer, type GraphQLHttpRequest, listen, type RunningServer } from '../../src/http/server.js';
import { capturingLog } from '../events/helpers.js';

/** The per-request path of the HTTP layer, through a real ApolloServer: what a subgraph serves. */
const captured = capturingLog();
const seen: { requestId: string; bindings: Record<string, unknown> }[] = [];
let running: RunningServer;

beforeAll(async () => {
  const apollo = new ApolloServer({
    schema: buildSchema('type Query { echo(text: String): String }'),
    rootValue: { echo: ({ text }: { text?: string }) => text ?? 'none' },
    plugins: requestErrorPlugins(),
  });
  await apollo.start();
  const server = createGraphQLHttpServer({
    apollo,
    log: captured.log,
    maxBodyBytes: 1_000,
    context: async (request: GraphQLHttpRequest) => {
      seen.push({ requestId: request.requestId, bindings: request.log.bindings() });
      return {};
    },
  });
  running = await listen(server, 0, '127.0.0.1');
});
afterAll(async () => running.close(0));

const post = async (body: string, headers: Record<string, string> = {}) => {
  const response = await fetch(running.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'req-1', ...headers },
    body,
    signal: AbortSignal.timeout(3_000),
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
};
const echo = (text: string) =>
  JSON.stringify({ query: `query Echo($t: String) { echo(text: $t) }`, variables: { t: text } });

describe('a GraphQL request over HTTP', () => {
  it('answers JSON whether Accept is plain JSON, anything or absent, and honours another media type', async () => {
    for (const accept of ['application/json', '*/*', '']) {
      const answer = await post(echo('hi'), accept ? { accept } : {});
      expect(answer).toMatchObject({ status: 200, type: 'application/json; charset=utf-8' });
      expect(JSON.parse(answer.text)).toEqual({ data: { echo: 'hi' } });
    }
    const graphql = await post(echo('hi'), { accept: 'application/graphql-response+json' });
    expect(graphql.type).toBe('application/graphql-response+json; charset=utf-8');
    expect((await post(echo('hi'), { accept: 'text/html' })).status).toBe(406);
  });

  it("hands the context a logger bound to the request's id", async () => {
    seen.length = 0;
    await post(echo('x'), { 'x-request-id': 'req-42' });
    expect(seen).toEqual([{ requestId: 'req-42', bindings: { requestId: 'req-42' } }]);
  });

  it('refuses a body over the limit with 413, and serves the next request', async () => {
    const large = await post(echo('x'.repeat(2_000)));
    expect(large.status).toBe(413);
    expect(large.text).toContain('over 1000 bytes');
    // Chunked, with no Content-Length to refuse it by: counted while read.
    const chunks = [echo('x'.repeat(600)).slice(0, 600), 'x'.repeat(600)];
    const streamed = await fetch(running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await post(echo('small'))).text).toBe('{"data":{"echo":"small"}}\n');
    // A chunked body within the limit is read whole.
    const parts = [echo('chunked').slice(0, 10), echo('chunked').slice(10)];
    const whole = await fetch(running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        pull(controller) {
          const next = parts.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(await whole.text()).toBe('{"data":{"echo":"chunked"}}\n');
  });

  it('refuses a NUL in the same document every time, though the document is walked once', async () => {
    const nul = JSON.stringify({ query: '{ echo(text: "a\\u0000b") }' });
    for (let i = 0; i < 2; i += 1) {
      const answer = await post(nul);
      expect(answer.status).toBe(400);
      expect(answer.text).toContain('A string in the document contains the NUL character');
    }
  });
});
