import { createServer } from 'node:http';
import { listen } from '@commerce-supergraph/shared/http/server';
import { errorCodes, postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { uniqueName } from '@commerce-supergraph/test-support/names';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edge, type RunningGateway, startEdge } from './fixtures/harness.js';
import { LEAKED_HOST, LEAKED_SQL } from './fixtures/schema.js';

let edge: Edge;
let development: RunningGateway;
let production: RunningGateway;
let productionWithIntrospection: RunningGateway;

// Production requires NATS credentials; the test server has no authorization and ignores them.
const PRODUCTION = { NODE_ENV: 'production', NATS_USER: 'gateway', NATS_PASSWORD: `edge-${'n'.repeat(40)}` };
const INTROSPECTION = '{ __schema { queryType { name } } }';

beforeAll(async () => {
  edge = await startEdge();
  development = await edge.startGateway();
  production = await edge.startGateway(PRODUCTION);
  productionWithIntrospection = await edge.startGateway({ ...PRODUCTION, GATEWAY_INTROSPECTION: 'true' });
});
afterAll(() => edge?.close());

const landingPage = (gateway: RunningGateway) => fetch(gateway.url, { headers: { accept: 'text/html' } });

describe('errors in production', () => {
  it('shows the internal error in development (so the fixture really leaks)', async () => {
    const response = await postGraphQL(development.url, '{ broken }');
    expect(JSON.stringify(response.errors)).toContain(LEAKED_SQL);
  });

  it('turns an internal subgraph error into a generic message with a code', async () => {
    const response = await postGraphQL(production.url, '{ broken }');
    expect(response.status).toBe(200);
    expect(response.errors).toEqual([
      { message: 'Internal server error', path: ['broken'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ]);
    const text = JSON.stringify(response);
    for (const secret of [LEAKED_SQL, LEAKED_HOST, 'stacktrace', 'serviceName', edge.subgraph.url]) {
      expect(text).not.toContain(secret);
    }
  });

  it('answers SERVICE_UNAVAILABLE with a retry hint for an unreachable subgraph, its address not included', async () => {
    const vacated = await listen(createServer(), 0);
    await vacated.close();
    const gateway = await edge.startGateway(PRODUCTION, vacated.url);

    const response = await postGraphQL(gateway.url, '{ node { id } }');
    expect(response.status).toBe(200);
    expect(response.errors).toEqual([
      {
        message: 'Service temporarily unavailable',
        path: ['node'],
        extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfterSeconds: 5 },
      },
    ]);
    expect(JSON.stringify(response)).not.toMatch(new RegExp(`${vacated.port}|ECONNREFUSED|127\\.0\\.0\\.1|fixture`));

    // A mutation may have run before its answer was lost: resending it is not called safe.
    const write = await postGraphQL(gateway.url, 'mutation { touch(id: "7") { id } }');
    expect(write.errors).toEqual([
      {
        message: 'Service temporarily unavailable',
        path: ['touch'],
        extensions: { code: 'SERVICE_UNAVAILABLE', retryable: false, retryAfterSeconds: 5 },
      },
    ]);

    const ready = await fetch(`${gateway.origin}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { supergraph: 'ok', 'subgraph:fixture': 'unavailable' } });
  });

  it("passes a subgraph's own UNAUTHENTICATED on as it wrote it, although it came with HTTP 401", async () => {
    const response = await postGraphQL(production.url, '{ signedIn { customerId } node { id } }');
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ signedIn: null, node: { id: '1' } });
    expect(response.errors).toEqual([
      { message: 'Authentication required', path: ['signedIn'], extensions: { code: 'UNAUTHENTICATED' } },
    ]);
    expect(JSON.stringify(response)).not.toContain(new URL(edge.subgraph.url).host);
  });

  it('keeps what a client got wrong in its message: 4xx, a code written for clients, nothing masked', async () => {
    const answers = [
      await postGraphQL(production.url, 'query A { node { id } } query B { node { id } }'),
      // Introspection mixed with data is planned, and the planner does not know isOneOf (executor.ts).
      await postGraphQL(productionWithIntrospection.url, '{ node { id } __type(name: "Node") { isOneOf } }'),
      await postGraphQL(production.url, `{ node { id ${'@unknown '.repeat(10)}} }`),
    ];
    expect(answers.map((answer) => [answer.status, errorCodes(answer)])).toEqual([
      [400, ['OPERATION_RESOLUTION_FAILURE']],
      [400, ['GRAPHQL_VALIDATION_FAILED']],
      [400, ['GRAPHQL_VALIDATION_FAILED']],
    ]);
    expect(answers.map((answer) => answer.errors?.[0]?.message)).toEqual([
      'Must provide operation name if query contains multiple operations.',
      'Cannot query field "isOneOf" on type "__Type".',
      'Unknown directive "@unknown".',
    ]);
    const persisted = await fetch(production.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ node { id } }',
        extensions: { persistedQuery: { version: 1, sha256Hash: 'f' } },
      }),
    });
    expect(persisted.status).toBe(400);
    expect(await persisted.json()).toEqual({
      errors: [{ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('reports a refused gateway secret as an internal error, not as the client being forbidden', async () => {
    const gateway = await edge.startGateway({
      ...PRODUCTION,
      GATEWAY_SECRET: `${uniqueName('wrong-secret')}-at-least-thirty-two-bytes`,
    });
    const response = await postGraphQL(gateway.url, '{ node { id } }');
    expect(errorCodes(response)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(response.errors?.[0]?.message).toBe('Internal server error');
  });
});

describe('introspection and the landing page', () => {
  it('are on in development', async () => {
    const response = await postGraphQL(development.url, INTROSPECTION);
    expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const page = await landingPage(development);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/sandbox/i);
  });

  it('are off in production', async () => {
    const response = await postGraphQL(production.url, INTROSPECTION);
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.data).toBeUndefined();
    const page = await landingPage(production);
    expect(page.headers.get('content-type')).not.toMatch(/text\/html/);
    await page.body?.cancel();
  });

  it('are on in production with GATEWAY_INTROSPECTION=true', async () => {
    const response = await postGraphQL(productionWithIntrospection.url, INTROSPECTION);
    expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    // What newer tools ask: the gateway's query planner does not know isOneOf (executor.ts).
    const full = await postGraphQL(productionWithIntrospection.url, getIntrospectionQuery({ oneOf: true }));
    expect(full.status).toBe(200);
    expect(full.errors).toBeUndefined();
    expect(full.data?.__schema.types.find((type: { name: string }) => type.name === 'Node')).toMatchObject({
      kind: 'OBJECT',
      isOneOf: null,
    });
    const page = await landingPage(productionWithIntrospection);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    await page.body?.cancel();
  });
});
