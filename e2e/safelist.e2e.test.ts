import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operation } from './support/operations.js';
import { registerShopper } from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

/**
 * GATEWAY_SAFELIST=true: the gateway runs the frontends' operations (gateway/operations and its
 * committed manifest), sent the ways Apollo Client and Relay send persisted operations, and refuses
 * everything else. Every operation of the manifest is sent every way, so a frontend operation that
 * the safelist refuses fails here.
 */

interface ManifestOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}
const MANIFEST_PATH = fileURLToPath(new URL('../gateway/operations/persisted-query-manifest.json', import.meta.url));
const MANIFEST = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as { operations: ManifestOperation[] };
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const NOT_SAFELISTED = {
  message:
    "Operation not in the safelist: this gateway runs only the frontends' persisted operations, sent by id or as their text.",
  extensions: { code: 'OPERATION_NOT_SAFELISTED' },
};
const NOT_FOUND = { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } };

let graph: TestSupergraph;
/** The same subgraphs behind a gateway without the safelist. */
let openGatewayUrl: string;
let token: string;
const run = randomUUID().slice(0, 8);
const UUID = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  graph = await startSupergraph({ gatewayEnv: { GATEWAY_SAFELIST: 'true' } });
  openGatewayUrl = await graph.startGateway({ GATEWAY_SAFELIST: 'false' });
  // Registering is itself a safelisted operation: the harness sends it as its text.
  token = (await registerShopper(graph, 'safelist')).token;
});
afterAll(() => graph?.stop());

/**
 * Variables each operation accepts, so it runs to its end: ids name nothing, the admin operations
 * are FORBIDDEN to this customer. What matters is that the safelist lets them through.
 */
const VARIABLES: Record<string, Record<string, unknown>> = {
  RegisterCustomer: { input: { name: 'Listed', email: `listed-${run}@example.com`, password: 'safelisted-password' } },
  Login: { input: { email: `nobody-${run}@example.com`, password: 'wrong-password' } },
  UpdateCustomer: { id: UUID, input: { name: 'Renamed' } },
  SetFinancialProfile: {
    input: { annualIncome: '50000', monthlyDebts: '100', totalAssets: '0', employmentStatus: 'EMPLOYED' },
  },
  CustomerById: { id: UUID },
  Products: { first: 2 },
  Product: { id: UUID },
  CreateProduct: { input: { sku: `SAFE-${run}`, name: 'Listed', price: '1.00' } },
  UpdateProduct: { id: UUID, input: { name: 'Listed' } },
  RestockProduct: { input: { productId: UUID, quantity: 1 } },
  CreateBrand: { name: `Brand ${run}` },
  CreateCategory: { name: `Category ${run}` },
  PlaceOrder: { input: { items: [{ productId: UUID, quantity: 1 }] } },
  Order: { id: UUID },
  LiveOrder: { id: UUID },
  MyOrders: { first: 2 },
  PayOrder: { input: { orderId: UUID, paymentToken: 'tok_visa' } },
  CancelOrder: { id: UUID },
  AdjustCreditScore: { input: { customerId: UUID, delta: 1, reason: 'safelist' } },
  CustomerDirectory: { first: 2, filter: { search: 'listed' } },
  ChangePassword: { currentPassword: 'not-the-password', newPassword: 'another-password' },
  RequestPasswordReset: { email: `nobody-${run}@example.com` },
  ResetPassword: { token: 'not-a-reset-code', newPassword: 'another-password' },
  DeleteMyAccount: { password: 'not-the-password' },
  DeleteCustomer: { id: UUID },
};

/** Operations that revoke the token they are sent with: each send gets a shopper of its own. */
const REVOKES_SESSIONS = new Set(['SignOutEverywhere']);

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** A GET as Apollo Client sends a hashed query with `useGETForHashedQueries`, or Relay a `doc_id`. */
async function get(url: string, params: Record<string, unknown>): Promise<Answer> {
  const search = new URLSearchParams(
    Object.entries(params).map(([key, value]): [string, string] => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
  const response = await fetch(`${url}?${search}`, {
    // CSRF prevention lets a GET through only with a header a browser form cannot send.
    headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const persistedQuery = (id: string) => ({ persistedQuery: { version: 1, sha256Hash: id } });

/** Ran: an answer with data, and no refusal by the safelist. */
function expectServed(answer: Answer, how: string) {
  const summary = `${how}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
  expect(answer.status, summary).toBeLessThan(500);
  expect(answer.body.data, summary).toBeDefined();
  const codes = (answer.body.errors ?? []).map((error) => error.extensions?.code);
  expect(codes, summary).not.toContain('OPERATION_NOT_SAFELISTED');
  expect(codes, summary).not.toContain('PERSISTED_QUERY_NOT_FOUND');
}

describe('with GATEWAY_SAFELIST=true', () => {
  // Subscriptions are served over WebSocket (gateway/src/live), which takes only subscriptions: not here.
  const overHttp = MANIFEST.operations.filter((entry) => entry.type !== 'subscription');
  it.each(overHttp)('serves $name by Apollo hash, Relay id, GET and full text', async (entry) => {
    const variables = VARIABLES[entry.name] ?? {};
    const { name: operationName } = entry;
    expect(entry.id).toBe(sha256(entry.body));
    const ways: [string, () => Promise<Answer>][] = [
      [
        'Apollo persisted query hash',
        () => post(graph.gatewayUrl, { operationName, variables, extensions: persistedQuery(entry.id) }),
      ],
      ['Relay documentId', () => post(graph.gatewayUrl, { documentId: entry.id, operationName, variables })],
      [
        'Relay doc_id with the sha256: prefix',
        () => post(graph.gatewayUrl, { doc_id: `sha256:${entry.id}`, variables }),
      ],
      ['the full document text', () => post(graph.gatewayUrl, { query: entry.body, operationName, variables })],
      [
        'the full text with its hash, as Apollo Client sends it after PERSISTED_QUERY_NOT_FOUND',
        () => post(graph.gatewayUrl, { query: entry.body, variables, extensions: persistedQuery(entry.id) }),
      ],
      // The document as written in gateway/operations, without the __typenames Apollo Client adds.
      [
        'the operation as written in its file',
        () => post(graph.gatewayUrl, { query: operation(entry.name), variables }),
      ],
    ];
    if (entry.type === 'query') {
      ways.push(
        [
          'a GET with the hash',
          () => get(graph.gatewayUrl, { operationName, variables, extensions: persistedQuery(entry.id) }),
        ],
        ['a GET with doc_id', () => get(graph.gatewayUrl, { doc_id: entry.id, variables })],
      );
    }
    const revokes = REVOKES_SESSIONS.has(entry.name);
    for (const [how, send] of ways) {
      if (revokes) token = (await registerShopper(graph, 'safelist')).token;
      expectServed(await send(), `${entry.name} as ${how}`);
    }
    if (revokes) token = (await registerShopper(graph, 'safelist')).token;
  });

  it('refuses a document that is not safelisted with one answer, whatever else is wrong with it', async () => {
    const products = MANIFEST.operations.find((entry) => entry.name === 'Products') as ManifestOperation;
    const refused = [
      '{ products(first: 1) { totalCount } }',
      // A safelisted operation with one alias more.
      products.body.replace('totalCount', 'totalCount\n    again: totalCount'),
      // Does not validate, does not parse: the answer tells nothing about the schema.
      '{ noSuchField }',
      '{ products(',
      `query A { ${'__typename '.repeat(3)}} query B { __typename }`,
    ];
    for (const query of refused) {
      const answer = await post(graph.gatewayUrl, { query });
      expect(answer, query).toEqual({ status: 400, body: { errors: [NOT_SAFELISTED] } });
    }
  });

  it('refuses an unknown hash or id, and lets no document be registered', async () => {
    const query = '{ brands { id } }';
    const id = sha256(query);
    for (const answer of [
      await post(graph.gatewayUrl, { extensions: persistedQuery(id) }),
      await post(graph.gatewayUrl, { documentId: id }),
      await get(graph.gatewayUrl, { doc_id: `sha256:${id}` }),
    ]) {
      // Apollo Server's answer, HTTP 200 so that GET answers stay cacheable; the client may send the text.
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ errors: [NOT_FOUND] });
    }
    // Apollo's automatic persisted queries register a document this way: not here.
    const register = await post(graph.gatewayUrl, { query, extensions: persistedQuery(id) });
    expect(register).toEqual({ status: 400, body: { errors: [NOT_SAFELISTED] } });
    expect((await post(graph.gatewayUrl, { extensions: persistedQuery(id) })).body).toMatchObject({
      errors: [NOT_FOUND],
    });
  });

  it('leaves introspection to GATEWAY_INTROSPECTION: on here, so tools can read the schema', async () => {
    const answer = await post(graph.gatewayUrl, { query: '{ __schema { queryType { name } } }' });
    expect(answer).toEqual({ status: 200, body: { data: { __schema: { queryType: { name: 'Query' } } } } });

    const closed = await graph.startGateway({ GATEWAY_SAFELIST: 'true', GATEWAY_INTROSPECTION: 'false' });
    expect(await post(closed, { query: '{ __schema { queryType { name } } }' })).toEqual({
      status: 400,
      body: { errors: [NOT_SAFELISTED] },
    });
  });
});

describe('with GATEWAY_SAFELIST=false', () => {
  it('serves any document, and the manifest ids too', async () => {
    expectServed(await post(openGatewayUrl, { query: '{ brands { id } }' }), 'a document of its own');
    const catalog = MANIFEST.operations.find((entry) => entry.name === 'Catalog') as ManifestOperation;
    expectServed(await post(openGatewayUrl, { extensions: persistedQuery(catalog.id) }), 'Catalog by hash');
    expectServed(await post(openGatewayUrl, { documentId: catalog.id }), 'Catalog by documentId');
  });

  it("registers other documents as Apollo's automatic persisted queries do", async () => {
    const query = `{ categories { id name } brands { id } }`;
    const id = sha256(query);
    expect((await post(openGatewayUrl, { extensions: persistedQuery(id) })).body).toMatchObject({
      errors: [NOT_FOUND],
    });
    expectServed(await post(openGatewayUrl, { query, extensions: persistedQuery(id) }), 'registering');
    expectServed(await post(openGatewayUrl, { extensions: persistedQuery(id) }), 'by its hash afterwards');
  });
});
