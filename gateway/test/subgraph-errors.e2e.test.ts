import { createServer } from 'node:http';
import { listen } from '@commerce-supergraph/shared/http/server';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Edge, type RunningGateway, startEdge } from './fixtures/harness.js';

let edge: Edge;
let gateway: RunningGateway;

beforeAll(async () => {
  edge = await startEdge();
  gateway = await edge.startGateway();
});
afterAll(() => edge?.close());
beforeEach(() => {
  edge.subgraph.requests.length = 0;
});

/** Neither the address the gateway reaches the subgraph at nor the subgraph server's own. */
function expectNoSubgraphAddress(response: unknown) {
  const text = JSON.stringify(response);
  for (const url of [edge.subgraph.url, edge.subgraph.directUrl]) expect(text).not.toContain(new URL(url).host);
}

describe("a subgraph's answers through the gateway (development)", () => {
  it('passes on UNAUTHENTICATED as the subgraph wrote it, at its path, although it came with HTTP 401', async () => {
    const response = await postGraphQL(gateway.url, '{ signedIn { customerId } node { id } }');
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ signedIn: null, node: { id: '1' } });
    expect(response.errors).toHaveLength(1);
    expect(response.errors?.[0]).toMatchObject({
      message: 'Authentication required',
      path: ['signedIn'],
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expectNoSubgraphAddress(response);
  });

  it('answers SERVICE_UNAVAILABLE with a retry hint for a subgraph that is down, and no address', async () => {
    const vacated = await listen(createServer(), 0);
    await vacated.close();
    const down = await edge.startGateway({ GATEWAY_RETRY_AFTER_SECONDS: '9' }, vacated.url);
    const response = await postGraphQL(down.url, '{ nodes { id } }');
    expect(response.status).toBe(200);
    expect(response.data).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors?.[0]).toMatchObject({
      message: 'Service temporarily unavailable',
      path: ['nodes'],
      extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfterSeconds: 9 },
    });
    expect(JSON.stringify(response)).not.toMatch(new RegExp(`${vacated.port}|ECONNREFUSED|127\\.0\\.0\\.1`));
  });

  it('sends a query once more when its connection closed without an answer', async () => {
    edge.subgraph.dropNextOperations(1);
    const response = await postGraphQL(gateway.url, '{ node { id } }');
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ node: { id: '1' } });
    expect(edge.subgraph.operations()).toHaveLength(2);
  });

  it('never sends a mutation twice: a lost connection is SERVICE_UNAVAILABLE, not retryable', async () => {
    edge.subgraph.dropNextOperations(1);
    const response = await postGraphQL(gateway.url, 'mutation { touch(id: "7") { id } }');
    expect(edge.subgraph.operations()).toHaveLength(1);
    expect(response.data).toBeNull();
    expect(response.errors?.[0]).toMatchObject({
      path: ['touch'],
      extensions: { code: 'SERVICE_UNAVAILABLE', retryable: false },
    });

    const again = await postGraphQL(gateway.url, 'mutation { touch(id: "7") { id } }');
    expect(again.data).toEqual({ touch: { id: '7' } });
  });
});
