import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OrderUpdatedDocument, ProductsDocument } from '@commerce-supergraph/storefront/gql';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerShopper, type Shopper } from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

/**
 * The schema HTTP introspection answers (what Apollo Sandbox reads) is the one the frontends are
 * written against: the composed API schema plus the gateway's subscriptions (gateway/src/live).
 * A subscription sent over HTTP is refused with a code that sends the client to WebSocket, before
 * the query planner sees it; queries keep running through the planner as before.
 */

const INTROSPECTION = /* GraphQL */ `
  {
    __schema {
      subscriptionType {
        name
        fields {
          name
        }
      }
    }
    orderUpdate: __type(name: "OrderUpdate") {
      fields {
        name
      }
    }
  }
`;
const SUBSCRIPTION_OVER_HTTP = {
  message:
    'Subscriptions are served over WebSocket only: connect with graphql-ws (subprotocol graphql-transport-ws) to this same URL, /graphql.',
  extensions: { code: 'SUBSCRIPTION_REQUIRES_WEBSOCKET' },
};
const MANIFEST_PATH = fileURLToPath(new URL('../gateway/operations/persisted-query-manifest.json', import.meta.url));
const MANIFEST = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as { operations: { id: string; name: string }[] };

let graph: TestSupergraph;
/** The same subgraphs behind a gateway that runs only the frontends' operations. */
let safelistedUrl: string;
let shopper: Shopper;

beforeAll(async () => {
  graph = await startSupergraph();
  safelistedUrl = await graph.startGateway({ GATEWAY_SAFELIST: 'true' });
  shopper = await registerShopper(graph, 'live-schema');
});
afterAll(() => graph?.stop());

async function post(url: string, body: Record<string, unknown>, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('introspection over HTTP at the gateway', () => {
  it('shows the subscriptions and their OrderUpdate type, with and without the safelist', async () => {
    for (const url of [graph.gatewayUrl, safelistedUrl]) {
      const answer = await post(url, { query: INTROSPECTION });
      expect(answer.status, url).toBe(200);
      expect(answer.body, url).toEqual({
        data: {
          __schema: {
            subscriptionType: { name: 'Subscription', fields: [{ name: 'orderUpdated' }, { name: 'myOrderUpdates' }] },
          },
          orderUpdate: {
            fields: ['orderId', 'status', 'paymentStatus', 'reason', 'occurredAt'].map((name) => ({ name })),
          },
        },
      });
    }
  });
});

describe('a subscription sent over HTTP', () => {
  it('is answered with SUBSCRIPTION_REQUIRES_WEBSOCKET and HTTP 400, by text or by persisted id', async () => {
    const id = MANIFEST.operations.find((entry) => entry.name === 'OrderUpdated')?.id;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const variables = { orderId: '00000000-0000-4000-8000-000000000000' };
    const ways: [string, string, Record<string, unknown>][] = [
      ['as text', graph.gatewayUrl, { query: print(OrderUpdatedDocument), variables }],
      ['as text, safelisted', safelistedUrl, { query: print(OrderUpdatedDocument), variables }],
      ['by Relay documentId, safelisted', safelistedUrl, { documentId: id, variables }],
      ['an ad-hoc one', graph.gatewayUrl, { query: 'subscription { myOrderUpdates { orderId status } }' }],
    ];
    for (const [how, url, body] of ways) {
      for (const token of [shopper.token, undefined]) {
        const answer = await post(url, body, token);
        const errors = (answer.body.errors ?? []) as { message: string; extensions: { code: string } }[];
        // Development answers add a stack trace; the message and code are what a client acts on.
        expect(
          {
            status: answer.status,
            data: answer.body.data,
            errors: errors.map(({ message, extensions: { code } }) => ({ message, extensions: { code } })),
          },
          `${how}, ${token ? 'signed in' : 'anonymous'}`,
        ).toEqual({ status: 400, data: undefined, errors: [SUBSCRIPTION_OVER_HTTP] });
      }
    }
  });

  it('changes nothing for queries, which the gateway still plans across the subgraphs', async () => {
    const res = await graph.send(ProductsDocument, { first: 1 });
    expect(res.errors).toBeUndefined();
    expect(res.data?.products.totalCount).toBeGreaterThan(0);
  });
});
