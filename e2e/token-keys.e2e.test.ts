import { DashboardDocument } from '@commerce-supergraph/storefront/gql';
import { errorCodes, postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { forgeries, newKeyPair, TEST_KEY, testTokens } from '@commerce-supergraph/test-support/tokens';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerShopper, type Shopper } from './support/orders.js';
import { E2E_GATEWAY_SECRET, startSupergraph, type TestSupergraph } from './support/supergraph.js';

/**
 * Who may mint a token: the customer subgraph's private key only. Every service of a real supergraph
 * runs here with two public keys, as during a key rotation: the test key the customer subgraph signs
 * with, and the next key. Every forgery is refused by the gateway and, sent straight to them with
 * the gateway secret, by each subgraph, for none of them trusts the gateway to have checked.
 */
const SETTINGS = { issuer: 'commerce-supergraph', audience: 'commerce-supergraph-api', ttlSeconds: 3600 };
const next = newKeyPair();
const SUBGRAPHS = ['customer', 'order', 'product', 'credit-status'] as const;

let graph: TestSupergraph;
let shopper: Shopper;

beforeAll(async () => {
  graph = await startSupergraph({ env: { JWT_PUBLIC_KEYS: `${TEST_KEY.publicKey}${next.publicKey}` } });
  shopper = await registerShopper(graph, 'keys');
});
afterAll(() => graph?.stop());

const direct = (subgraph: string, token: string) =>
  postGraphQL(
    graph.subgraphUrls[subgraph] as string,
    '{ __typename }',
    {},
    { token, gatewaySecret: E2E_GATEWAY_SECRET },
  );

const header = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString());

describe('tokens the customer subgraph issues', () => {
  it('are signed with its private key, named by kid, and open the dashboard through every subgraph', async () => {
    expect(header(shopper.token)).toEqual({ alg: 'EdDSA', kid: TEST_KEY.kid, typ: 'JWT' });
    const dashboard = await graph.send(DashboardDocument, {}, shopper.token);
    expect(dashboard.errors).toBeUndefined();
    expect(dashboard.data?.me?.id).toBe(shopper.id);
  });
});

describe('a key rotation', () => {
  it("accepts the next key's tokens everywhere while both keys are listed", async () => {
    const token = await testTokens(SETTINGS, next).customer(shopper.id);
    expect(header(token).kid).toBe(next.kid);
    // Dashboard reaches the customer, order and credit-status subgraphs with the token.
    const dashboard = await graph.send(DashboardDocument, {}, token);
    expect(dashboard.errors).toBeUndefined();
    expect(dashboard.data?.me?.id).toBe(shopper.id);
    for (const subgraph of SUBGRAPHS) {
      for (const accepted of [token, shopper.token]) {
        const response = await direct(subgraph, accepted);
        expect([subgraph, response.status, response.errors]).toEqual([subgraph, 200, undefined]);
      }
    }
  });
});

describe('tokens not signed by the customer key', () => {
  const cases = forgeries(SETTINGS, TEST_KEY);

  it.each(cases)('refuses %s at the gateway with 401 UNAUTHENTICATED', async (_, forge) => {
    const response = await graph.send(DashboardDocument, {}, forge());
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.data).toBeUndefined();
  });

  it.each(cases)('refuses %s at each subgraph called directly with the gateway secret', async (_, forge) => {
    const token = forge();
    for (const subgraph of SUBGRAPHS) {
      const response = await direct(subgraph, token);
      expect([subgraph, response.status, errorCodes(response)]).toEqual([subgraph, 401, ['UNAUTHENTICATED']]);
    }
  });
});
