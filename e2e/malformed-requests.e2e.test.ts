import { GATEWAY_SECRET_HEADER } from '@commerce-supergraph/shared/auth/gateway-secret';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken } from './support/orders.js';
import { E2E_GATEWAY_SECRET, startSupergraph, type TestSupergraph } from './support/supergraph.js';

/**
 * Client mistakes, sent to the gateway and to each subgraph directly (with the gateway secret, as
 * the gateway sends it): none may get a 5xx or an INTERNAL_SERVER_ERROR, each gets a message that
 * says what is wrong, and a document with many errors gets a bounded number of them.
 */

let graph: TestSupergraph;
let token: string;

beforeAll(async () => {
  graph = await startSupergraph();
  // The admin reaches every operation, so the resolvers behind each one really run.
  token = await adminToken(graph);
});
afterAll(() => graph?.stop());

/** What a corpus entry sends: a JSON body (any value), or raw text with its own content type. */
interface RawRequest {
  method?: 'GET' | 'POST';
  /** Serialized as JSON unless `text` is given. */
  json?: unknown;
  text?: string;
  contentType?: string;
  /** For GET: the query string parameters. */
  params?: Record<string, string>;
}

/** A place where one input is a string: for oversized, wrongly typed and deeply nested values. */
interface StringSlot {
  query: string;
  variables: (value: unknown) => Record<string, unknown>;
}

interface Target {
  name: string;
  url: () => string;
  headers: () => Record<string, string>;
  /** An operation that writes or filters on a string the client chose. */
  stringSlot: StringSlot;
  /** An operation taking an id, for ids that name nothing or are not ids at all. */
  idSlot: StringSlot;
  /** An operation that pages with `after`, where this target has one. */
  cursorSlot?: StringSlot;
  /** An entity this target resolves from a representation (the gateway serves no `_entities`). */
  entity: string;
}

const entityQuery = (typename: string, selection: string) =>
  `query Entities($reps: [_Any!]!) { _entities(representations: $reps) { ... on ${typename} { ${selection} } } }`;
const UUID = '00000000-0000-4000-8000-000000000000';

const login: StringSlot = {
  query: 'mutation Login($input: LoginInput!) { login(input: $input) { token userErrors { field code } } }',
  variables: (value) => ({ input: { email: value, password: value } }),
};
const productSearch: StringSlot = {
  query: 'query Search($filter: ProductFilter) { products(first: 5, filter: $filter) { totalCount } }',
  variables: (value) => ({ filter: { search: value } }),
};
const productById: StringSlot = {
  query: 'query Product($id: ID!) { product(id: $id) { id name } }',
  variables: (value) => ({ id: value }),
};
const productsAfter: StringSlot = {
  query: 'query Page($after: String) { products(first: 5, after: $after) { totalCount } }',
  variables: (value) => ({ after: value }),
};

const TARGETS: Target[] = [
  {
    name: 'gateway',
    entity: 'Customer',
    url: () => graph.gatewayUrl,
    headers: () => ({ authorization: `Bearer ${token}` }),
    stringSlot: login,
    idSlot: {
      query: 'query Order($id: ID!) { order(id: $id) { id status } }',
      variables: (value) => ({ id: value }),
    },
    cursorSlot: {
      query: 'query MyOrders($after: String) { me { orders(first: 5, after: $after) { totalCount } } }',
      variables: (value) => ({ after: value }),
    },
  },
  {
    name: 'customer subgraph',
    entity: 'Customer',
    url: () => graph.subgraphUrls.customer as string,
    headers: () => ({ authorization: `Bearer ${token}`, [GATEWAY_SECRET_HEADER]: E2E_GATEWAY_SECRET }),
    stringSlot: login,
    idSlot: {
      query: 'query Customer($id: ID!) { customer(id: $id) { id name } }',
      variables: (value) => ({ id: value }),
    },
  },
  {
    name: 'product subgraph',
    entity: 'Product',
    url: () => graph.subgraphUrls.product as string,
    headers: () => ({ authorization: `Bearer ${token}`, [GATEWAY_SECRET_HEADER]: E2E_GATEWAY_SECRET }),
    stringSlot: productSearch,
    idSlot: productById,
    cursorSlot: productsAfter,
  },
  {
    name: 'order subgraph',
    entity: 'Order',
    url: () => graph.subgraphUrls.order as string,
    headers: () => ({ authorization: `Bearer ${token}`, [GATEWAY_SECRET_HEADER]: E2E_GATEWAY_SECRET }),
    stringSlot: {
      query: `mutation Place($input: PlaceOrderInput!) {
        placeOrder(input: $input) { order { id } userErrors { field code } } }`,
      variables: (value) => ({ input: { items: [{ productId: UUID, quantity: 1 }], idempotencyKey: value } }),
    },
    idSlot: {
      query: 'query Order($id: ID!) { order(id: $id) { id status } }',
      variables: (value) => ({ id: value }),
    },
    cursorSlot: {
      query: entityQuery('Customer', 'orders(first: 5, after: $after) { totalCount }').replace(
        '($reps: [_Any!]!)',
        '($reps: [_Any!]!, $after: String)',
      ),
      variables: (value) => ({ reps: [{ __typename: 'Customer', id: UUID }], after: value }),
    },
  },
  {
    name: 'credit-status subgraph',
    entity: 'Customer',
    url: () => graph.subgraphUrls['credit-status'] as string,
    headers: () => ({ authorization: `Bearer ${token}`, [GATEWAY_SECRET_HEADER]: E2E_GATEWAY_SECRET }),
    stringSlot: {
      query: `mutation Adjust($input: AdjustCreditScoreInput!) {
        adjustCreditScore(input: $input) { creditStatus { score } userErrors { field code } } }`,
      variables: (value) => ({ input: { customerId: UUID, delta: 1, reason: value } }),
    },
    idSlot: {
      query: `mutation Adjust($id: ID!) {
        adjustCreditScore(input: { customerId: $id, delta: 1, reason: "corpus" }) { userErrors { field code } } }`,
      variables: (value) => ({ id: value }),
    },
  },
];

/**
 * JSON nested `depth` levels deep, kept as text: JSON.parse takes 10,000 levels, JSON.stringify (and
 * any other recursion over the value) overflows the stack, so a body holding it is written by hand.
 */
class NestedJson {
  constructor(readonly text: string) {}
}
const nestedObject = (depth: number) => new NestedJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
const nestedList = (depth: number) => new NestedJson(`${'['.repeat(depth)}1${']'.repeat(depth)}`);

/** JSON.stringify, with each NestedJson written as its text. */
function serialize(value: unknown): string {
  const nested: string[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (!(item instanceof NestedJson)) return item;
    nested.push(item.text);
    return `\u0001nested${nested.length - 1}\u0001`;
  });
  return text.replace(/"\\u0001nested(\d+)\\u0001"/g, (_match, index: string) => nested[Number(index)] as string);
}
const DEEP = 10_000;
const MEGABYTE = 1024 * 1024;
/** Just under the 2 MB body limit once serialized: ~1.9 MB of variables in many keys. */
const largeVariables = () =>
  Object.fromEntries(Array.from({ length: 1900 }, (_, index) => [`key${index}`, 'v'.repeat(1000)]));
const OVERSIZED = 'x'.repeat(MEGABYTE);
const INTROSPECTION_WITH_ONE_OF = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});

interface Case {
  name: string;
  request: (target: Target) => RawRequest;
  /** An error is the right answer (most cases); otherwise data may come back, but no server error. */
  expectsError: boolean;
  /** The most errors an answer may hold. */
  maxErrors?: number;
  /** A word the (first) message must contain, so a client can tell what went wrong. */
  mentions?: RegExp;
}

const CORPUS: Case[] = [
  {
    name: 'a body that is not JSON',
    request: () => ({ text: '{"query": "{ __typename }"', contentType: 'application/json' }),
    expectsError: true,
    mentions: /JSON/,
  },
  {
    name: 'a JSON body sent as text/plain',
    request: () => ({ text: JSON.stringify({ query: '{ __typename }' }), contentType: 'text/plain' }),
    expectsError: true,
  },
  {
    name: 'a form-encoded body',
    request: () => ({ text: 'query=%7B__typename%7D', contentType: 'application/x-www-form-urlencoded' }),
    expectsError: true,
  },
  {
    name: 'a body that is a JSON array',
    request: () => ({ json: [{ query: '{ __typename }' }, { query: '{ __typename }' }] }),
    expectsError: true,
  },
  { name: 'a body that is an empty JSON array', request: () => ({ json: [] }), expectsError: true },
  { name: 'a body that is a JSON number', request: () => ({ json: 42 }), expectsError: true },
  { name: 'a body that is JSON null', request: () => ({ json: null }), expectsError: true },
  { name: 'a body that is a JSON string', request: () => ({ json: '{ __typename }' }), expectsError: true },
  { name: 'an empty JSON object', request: () => ({ json: {} }), expectsError: true },
  { name: '`query` a number', request: () => ({ json: { query: 42 } }), expectsError: true, mentions: /quer/i },
  {
    name: '`query` an object',
    request: () => ({ json: { query: { kind: 'Document' } } }),
    expectsError: true,
    mentions: /quer/i,
  },
  { name: '`query` a list', request: () => ({ json: { query: ['{ __typename }'] } }), expectsError: true },
  { name: '`query` an empty string', request: () => ({ json: { query: '' } }), expectsError: true },
  { name: '`query` not GraphQL', request: () => ({ json: { query: 'SELECT 1' } }), expectsError: true },
  {
    name: '`variables` a string',
    request: () => ({ json: { query: '{ __typename }', variables: '{}' } }),
    expectsError: true,
    mentions: /variables/,
  },
  {
    name: '`variables` a list',
    request: () => ({ json: { query: '{ __typename }', variables: [1, 2] } }),
    expectsError: true,
    mentions: /variables/,
  },
  {
    name: '`operationName` a number',
    request: () => ({ json: { query: '{ __typename }', operationName: 7 } }),
    expectsError: true,
    mentions: /operationName/,
  },
  {
    name: '`extensions` a string',
    request: () => ({ json: { query: '{ __typename }', extensions: 'persisted' } }),
    expectsError: true,
  },
  {
    name: 'a persisted query of an unsupported version',
    request: () => ({ json: { extensions: { persistedQuery: { version: 99, sha256Hash: 'abc' } } } }),
    expectsError: true,
  },
  {
    name: 'a persisted query whose hash does not match the document',
    request: () => ({
      json: { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } },
    }),
    expectsError: true,
  },
  {
    name: 'a string where a Boolean variable is wanted',
    request: () => ({
      json: { query: 'query Flag($flag: Boolean!) { __typename @include(if: $flag) }', variables: { flag: 'yes' } },
    }),
    expectsError: true,
    mentions: /\$flag/,
  },
  {
    name: 'an object where the input wants a string',
    request: (target) => ({
      json: { query: target.stringSlot.query, variables: target.stringSlot.variables({ not: 'a string' }) },
    }),
    expectsError: true,
  },
  {
    name: 'a boolean where the input wants an id',
    request: (target) => ({ json: { query: target.idSlot.query, variables: target.idSlot.variables(true) } }),
    expectsError: true,
    mentions: /\$id/,
  },
  {
    name: 'a required variable not given',
    request: (target) => ({ json: { query: target.idSlot.query, variables: {} } }),
    expectsError: true,
    mentions: /not provided/,
  },
  {
    name: 'an id that is not an id',
    request: (target) => ({ json: { query: target.idSlot.query, variables: target.idSlot.variables('garbage') } }),
    expectsError: false,
  },
  {
    name: 'an oversized id',
    request: (target) => ({ json: { query: target.idSlot.query, variables: target.idSlot.variables(OVERSIZED) } }),
    expectsError: false,
  },
  {
    name: 'an unknown operation name',
    request: () => ({ json: { query: 'query A { __typename }', operationName: 'B' } }),
    expectsError: true,
    mentions: /Unknown operation named "B"/,
  },
  {
    name: 'an operation name with an anonymous operation',
    request: () => ({ json: { query: '{ __typename }', operationName: 'A' } }),
    expectsError: true,
    mentions: /Unknown operation named "A"/,
  },
  {
    name: 'a document of several operations without an operation name',
    request: () => ({ json: { query: 'query A { __typename } query B { __typename }' } }),
    expectsError: true,
    mentions: /operation name/,
  },
  {
    name: 'a document with only a fragment',
    request: () => ({ json: { query: 'fragment F on Query { __typename }' } }),
    expectsError: true,
  },
  {
    name: 'a 10,000-deep nested object in an unused variable',
    request: () => ({ json: { query: '{ __typename }', variables: { deep: nestedObject(DEEP) } } }),
    expectsError: false,
  },
  {
    name: 'a 10,000-deep nested object where the input wants a string',
    request: (target) => ({
      json: { query: target.stringSlot.query, variables: target.stringSlot.variables(nestedObject(DEEP)) },
    }),
    expectsError: true,
  },
  {
    name: 'a 10,000-deep nested list where the input wants a string',
    request: (target) => ({
      json: { query: target.stringSlot.query, variables: target.stringSlot.variables(nestedList(DEEP)) },
    }),
    expectsError: true,
  },
  {
    name: 'a 10,000-deep nested list where the input wants an id',
    request: (target) => ({
      json: { query: target.idSlot.query, variables: target.idSlot.variables(nestedList(DEEP)) },
    }),
    expectsError: true,
  },
  {
    name: 'a 10,000-deep nested object as an entity representation',
    request: () => ({
      json: {
        query: 'query Entities($reps: [_Any!]!) { _entities(representations: $reps) { __typename } }',
        variables: { reps: [nestedObject(DEEP)] },
      },
    }),
    expectsError: true,
  },
  {
    name: 'a representation whose __typename is no entity',
    request: () => entitiesRequest({ __typename: 'Query' }),
    expectsError: true,
    mentions: /representation|_entities|_Any/,
  },
  {
    name: 'a representation that is not an object',
    request: () => entitiesRequest('Customer:1'),
    expectsError: true,
  },
  {
    name: 'a representation without its key',
    request: (target) => entitiesRequest({ __typename: target.entity }),
    expectsError: false,
  },
  {
    name: 'a representation whose key is an object',
    request: (target) => entitiesRequest({ __typename: target.entity, id: { id: UUID } }),
    expectsError: false,
  },
  {
    name: 'a selection nested 5,000 levels deep',
    request: () => ({
      json: { query: `{ ${'__type(name: "Query") { ofType { '.repeat(2500)}name${' } }'.repeat(2500)} }` },
    }),
    expectsError: true,
  },
  {
    name: 'a 1.9 MB variables object',
    request: () => ({ json: { query: '{ __typename }', variables: largeVariables() } }),
    expectsError: false,
  },
  {
    name: 'a 1 MB string in an input',
    request: (target) => ({
      json: { query: target.stringSlot.query, variables: target.stringSlot.variables(OVERSIZED) },
    }),
    expectsError: false,
  },
  {
    name: 'a string of control and invalid Unicode characters in an input',
    request: (target) => ({
      json: { query: target.stringSlot.query, variables: target.stringSlot.variables('\u0000\u0007\ud800\uffff') },
    }),
    expectsError: false,
  },
  {
    name: 'a cursor this list did not issue',
    request: (target) => cursorRequest(target, 'garbage'),
    expectsError: true,
    mentions: /cursor/,
  },
  {
    name: 'a cursor that decodes to the wrong shape',
    request: (target) => cursorRequest(target, Buffer.from('{"a":[1,2,3]}').toString('base64url')),
    expectsError: true,
    mentions: /cursor/,
  },
  {
    name: 'an oversized cursor',
    request: (target) => cursorRequest(target, Buffer.from(`["${'9'.repeat(MEGABYTE)}","x"]`).toString('base64url')),
    expectsError: true,
    mentions: /cursor/,
  },
  {
    name: 'ten repeated unknown directives on one field',
    request: () => ({ json: { query: `{ __typename ${'@unknown '.repeat(10)}}` } }),
    expectsError: true,
    maxErrors: 1,
    mentions: /Unknown directive "@unknown"/,
  },
  {
    name: 'ten repeated known directives on one field',
    request: () => ({ json: { query: `{ __typename ${'@include(if: true) '.repeat(10)}}` } }),
    expectsError: true,
    maxErrors: 1,
    mentions: /only be used once/,
  },
  {
    name: 'forty different unknown fields',
    request: () => ({
      json: { query: `{ ${Array.from({ length: 40 }, (_, index) => `unknown${index}`).join(' ')} }` },
    }),
    expectsError: true,
    // At most ten, and a last one that says there were more.
    maxErrors: 11,
    mentions: /Cannot query field "unknown0"/,
  },
  {
    name: 'an introspection query that selects isOneOf',
    request: () => ({ json: { query: INTROSPECTION_WITH_ONE_OF, operationName: 'IntrospectionQuery' } }),
    expectsError: false,
  },
  {
    name: 'a GET with variables that are not JSON',
    request: () => ({ method: 'GET', params: { query: '{ __typename }', variables: '{not json' } }),
    expectsError: true,
    mentions: /variables/,
  },
  {
    name: 'a GET of a mutation',
    request: () => ({ method: 'GET', params: { query: 'mutation { __typename }' } }),
    expectsError: true,
    mentions: /GET/,
  },
];

function entitiesRequest(representation: unknown): RawRequest {
  const query = 'query Entities($reps: [_Any!]!) { _entities(representations: $reps) { __typename } }';
  return { json: { query, variables: { reps: [representation] } } };
}

function cursorRequest(target: Target, cursor: string): RawRequest {
  const slot = target.cursorSlot as StringSlot;
  return { json: { query: slot.query, variables: slot.variables(cursor) } };
}
const CURSOR_CASES = new Set(CORPUS.filter((entry) => entry.name.includes('cursor')).map((entry) => entry.name));

interface Answer {
  status: number;
  text: string;
  body?: { data?: unknown; errors?: { message?: unknown; extensions?: { code?: unknown } }[] };
}

async function send(target: Target, request: RawRequest): Promise<Answer> {
  const headers: Record<string, string> = { ...target.headers() };
  let url = target.url();
  let body: string | undefined;
  if (request.method === 'GET') {
    url = `${url}?${new URLSearchParams(request.params)}`;
    headers['apollo-require-preflight'] = 'true';
  } else {
    body = request.text ?? serialize(request.json);
    headers['content-type'] = request.contentType ?? 'application/json';
  }
  const response = await fetch(url, { method: request.method ?? 'POST', headers, body });
  const text = await response.text();
  let parsed: Answer['body'];
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, text, body: parsed };
}

describe.each(TARGETS)('malformed requests to the $name', (target) => {
  const cases = CORPUS.filter((entry) => !CURSOR_CASES.has(entry.name) || target.cursorSlot);

  it.each(cases)('$name: no server error, a clear answer', async (entry) => {
    const answer = await send(target, entry.request(target));
    const summary = `HTTP ${answer.status}: ${answer.text.slice(0, 300)}`;
    expect(answer.status, summary).toBeLessThan(500);
    expect(answer.body, `not a JSON answer: ${summary}`).toBeTypeOf('object');
    const errors = answer.body?.errors ?? [];
    for (const error of errors) {
      expect(error.message, summary).toBeTypeOf('string');
      expect(error.message, summary).not.toBe('');
      expect(error.message, summary).not.toMatch(/internal server error/i);
      expect(error.extensions?.code, summary).not.toBe('INTERNAL_SERVER_ERROR');
    }
    if (entry.expectsError) expect(errors.length, summary).toBeGreaterThan(0);
    if (entry.maxErrors !== undefined) expect(errors.length, summary).toBeLessThanOrEqual(entry.maxErrors);
    if (entry.mentions) expect(String(errors[0]?.message), summary).toMatch(entry.mentions);
  });
});
