import { errorCodes, postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { uniqueName } from '@commerce-supergraph/test-support/names';
import { claims, forgeries, forgeToken, newKeyPair, testTokens } from '@commerce-supergraph/test-support/tokens';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Edge, type RunningGateway, startEdge } from './fixtures/harness.js';

let edge: Edge;
let gateway: RunningGateway;
const WHOAMI = '{ whoami { customerId requestId clientAddress } }';
/** The edge's signing key; made here because the forgeries below are listed before the edge starts. */
const edgeKey = newKeyPair();

beforeAll(async () => {
  edge = await startEdge({ key: edgeKey });
  gateway = await edge.startGateway();
});
afterAll(() => edge?.close());
beforeEach(() => {
  edge.subgraph.requests.length = 0;
});

describe('edge authentication', () => {
  it('forwards a valid token, the request id, the client address and the gateway secret', async () => {
    const token = await testTokens(gateway.config.jwt, edge.key).customer('customer-7');
    const requestId = uniqueName('request');
    const response = await postGraphQL(gateway.url, WHOAMI, {}, { token, headers: { 'x-request-id': requestId } });

    expect(response.status).toBe(200);
    expect(response.data?.whoami).toMatchObject({ customerId: 'customer-7', requestId });
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const [forwarded] = edge.subgraph.operations();
    expect(forwarded?.headers).toMatchObject({
      authorization: `Bearer ${token}`,
      'x-request-id': requestId,
      'x-gateway-secret': edge.env.GATEWAY_SECRET,
    });
    expect(forwarded?.headers['x-client-address']).toMatch(/127\.0\.0\.1$/);
  });

  it('treats a request without Authorization as anonymous and forwards no credential', async () => {
    const response = await postGraphQL(gateway.url, WHOAMI, {}, { headers: { 'x-client-address': '203.0.113.9' } });
    expect(response.status).toBe(200);
    expect(response.data?.whoami).toMatchObject({ customerId: null });
    expect(edge.subgraph.operations()[0]?.headers.authorization).toBeUndefined();
    // A client cannot choose the address its logins are rate-limited by.
    expect(response.data?.whoami.clientAddress).not.toBe('203.0.113.9');
  });

  it('takes the client address from X-Forwarded-For only behind a trusted proxy', async () => {
    const behindProxy = await edge.startGateway({ TRUSTED_PROXIES: '127.0.0.1/32, ::1' });
    const forwarded = { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' };
    const viaProxy = await postGraphQL(behindProxy.url, WHOAMI, {}, { headers: forwarded });
    expect(viaProxy.data?.whoami.clientAddress).toBe('203.0.113.9');
    expect(edge.subgraph.operations().at(-1)?.headers['x-client-address']).toBe('203.0.113.9');

    // The gateway trusting no proxy (the default) takes the peer, whatever the header says.
    const direct = await postGraphQL(gateway.url, WHOAMI, {}, { headers: forwarded });
    expect(direct.data?.whoami.clientAddress).toBe('127.0.0.1');
  });

  const settings = () => gateway.config.jwt;
  const signed = (claimSet: Record<string, unknown>) =>
    forgeToken({ alg: 'EdDSA', typ: 'JWT', kid: edge.key.kid }, claimSet, {
      kind: 'key',
      privateKey: edge.key.privateKey,
      alg: 'EdDSA',
    });

  it('accepts a hand-made token with the right key and claims: each forgery below differs in one thing', async () => {
    const response = await postGraphQL(gateway.url, WHOAMI, {}, { token: signed(claims(settings())) });
    expect(response.data?.whoami).toMatchObject({ customerId: 'customer-1' });
  });

  const malformedHeaders = ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer two tokens'];

  async function expectUnauthenticated(authorization: string) {
    const response = await postGraphQL(gateway.url, WHOAMI, {}, { headers: { authorization } });
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.data).toBeUndefined();
    expect(edge.subgraph.operations()).toHaveLength(0);
  }

  it.each(forgeries({ issuer: 'commerce-supergraph', audience: 'commerce-supergraph-api' }, edgeKey))(
    'rejects %s with 401 UNAUTHENTICATED, never as anonymous',
    async (_, forge) => {
      await expectUnauthenticated(`Bearer ${forge()}`);
    },
  );

  it.each(malformedHeaders)('rejects the Authorization header "%s" with 401 UNAUTHENTICATED', async (header) => {
    await expectUnauthenticated(header);
  });
});

describe('subgraph behind the gateway', () => {
  const operations: [string, string, Record<string, unknown>][] = [
    ['_service', '{ _service { sdl } }', {}],
    [
      '_entities',
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Node { id label } } }',
      { r: [{ __typename: 'Node', id: '42' }] },
    ],
    ['an ordinary query', '{ node { id } }', {}],
  ];

  it.each(operations)('refuses %s without the gateway secret and serves it with it', async (_, query, variables) => {
    const refused = await postGraphQL(edge.subgraph.directUrl, query, variables);
    expect(refused.status).toBe(403);
    expect(refused.data).toBeUndefined();
    const wrong = await postGraphQL(edge.subgraph.directUrl, query, variables, { gatewaySecret: 'not-the-secret' });
    expect(wrong.status).toBe(403);

    const served = await postGraphQL(edge.subgraph.directUrl, query, variables, {
      gatewaySecret: edge.env.GATEWAY_SECRET,
    });
    expect(served.status).toBe(200);
    expect(served.errors).toBeUndefined();
    expect(served.data).toBeTruthy();
  });
});
