import { errorCodes, postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
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

/** `{ node { child { ... id } } }` with `depth` levels of fields, the leaf included. */
const nested = (depth: number) => `{ node { ${'child { '.repeat(depth - 2)}id${' }'.repeat(depth - 2)} } }`;
const aliased = (count: number, field: string) =>
  Array.from({ length: count }, (_, index) => `${field.replace(/\W/g, '')}${index}: ${field}`).join(' ');

async function expectRejected(query: string, variables: Record<string, unknown> = {}) {
  const response = await postGraphQL(gateway.url, query, variables);
  expect(response.status).toBe(400);
  expect(edge.subgraph.operations()).toHaveLength(0);
  return response;
}

describe('gateway limits', () => {
  it('serves a query at the depth limit and refuses a deeper one before any subgraph call', async () => {
    const atLimit = await postGraphQL(gateway.url, nested(10));
    expect(atLimit.status).toBe(200);
    expect(atLimit.errors).toBeUndefined();
    expect(edge.subgraph.operations().length).toBeGreaterThan(0);

    edge.subgraph.requests.length = 0;
    const deeper = await expectRejected(nested(11));
    expect(errorCodes(deeper)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(deeper.errors?.[0]?.message).toMatch(/depth limit of 10 exceeded, found 11/);
  });

  it('counts __typename aliases: 15 pass, 16 are refused before any subgraph call', async () => {
    const atLimit = await postGraphQL(gateway.url, `{ node { ${aliased(15, '__typename')} } }`);
    expect(atLimit.status).toBe(200);
    expect(atLimit.data?.node).toMatchObject({ __typename0: 'Node', __typename14: 'Node' });

    edge.subgraph.requests.length = 0;
    const typenames = await expectRejected(`{ node { ${aliased(16, '__typename')} } }`);
    expect(typenames.errors?.[0]?.message).toMatch(/Too many aliases: 16/);
    const mixed = await expectRejected(`{ node { ${aliased(8, 'id')} ${aliased(8, '__typename')} } }`);
    expect(mixed.errors?.[0]?.message).toMatch(/Too many aliases: 16/);
  });

  it('refuses too many directives, tokens or too much cost before any subgraph call', async () => {
    const directives = await expectRejected(`{ node { ${'id @include(if: true) '.repeat(21)} } }`);
    expect(directives.errors?.[0]?.message).toMatch(/Directives limit of 20 exceeded/);
    const tokens = await expectRejected(`{ node { ${'id '.repeat(2000)} } }`);
    expect(errorCodes(tokens)).toEqual(['GRAPHQL_PARSE_FAILED']);
    const cost = await expectRejected('{ nodes(first: 1000) { id label child { id label } } }');
    expect(cost.errors?.[0]?.message).toMatch(/Cost limit of 10000 exceeded/);
  });

  it('never says "Did you mean", whether validation or variable coercion fails', async () => {
    const field = await expectRejected('{ nod { id } }');
    const literal = await expectRejected('{ paint(color: REDD) { id } }');
    const variable = await expectRejected('query ($c: Color!) { paint(color: $c) { id } }', { c: 'REDD' });
    for (const response of [field, literal, variable]) {
      expect(response.errors?.length).toBeGreaterThan(0);
      expect(JSON.stringify(response.errors)).not.toMatch(/did you mean/i);
    }
    expect(field.errors?.[0]?.message).toContain('"nod"');
    expect(variable.errors?.[0]?.message).toContain('"REDD"');
  });
});

describe('gateway schema', () => {
  it('does not expose the federation fields _service and _entities to clients', async () => {
    await expectRejected('{ _service { sdl } }');
    await expectRejected('query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }', {
      r: [{ __typename: 'Node', id: '1' }],
    });
  });
});

describe('gateway HTTP edge', () => {
  it('refuses a body over 2 MB with 413 before any subgraph call', async () => {
    const body = JSON.stringify({ query: '{ node { id } }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(413);
    expect(edge.subgraph.operations()).toHaveLength(0);
  });

  it('keeps CSRF prevention on and batching off', async () => {
    const query = encodeURIComponent('{ node { id } }');
    const simpleGet = await fetch(`${gateway.url}?query=${query}`);
    expect(simpleGet.status).toBe(400);
    expect(await simpleGet.text()).toMatch(/Cross-Site Request Forgery/);
    const preflighted = await fetch(`${gateway.url}?query=${query}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(preflighted.status).toBe(200);

    const batch = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ node { id } }' }, { query: '{ node { label } }' }]),
    });
    expect(batch.status).toBe(400);
  });

  it('answers /health, and /ready once the supergraph is loaded and the subgraph is ready', async () => {
    const health = await fetch(`${gateway.origin}/health`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${gateway.origin}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { supergraph: 'ok', 'subgraph:fixture': 'ok' } });
    expect(edge.subgraph.requests.map((request) => request.path)).toEqual(['/ready']);
  });
});
