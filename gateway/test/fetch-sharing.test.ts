import { describe, expect, it } from 'vitest';
import { collapseKey, PublicCatalogCacheability } from '../src/fetch-keys.js';
import { PublicCache, shareFetches } from '../src/fetch-sharing.js';
import { MemoryResponseStore } from '../src/response-store.js';
import { BufferedResponse, type Fetcher } from '../src/subgraph-connections.js';

const URL = 'http://product:4002/graphql';
const body = (query: string, variables: object = {}) => JSON.stringify({ query, variables });
const PRODUCTS = body('query Products__product__0{products(first:20){edges{node{id name}}}}');
const ENTITIES = (typename: string) =>
  body(
    'query Dashboard__product__3($representations:[_Any!]!){_entities(representations:$representations){...on Product{name}}}',
    {
      representations: [{ __typename: typename, id: '1' }],
    },
  );
const anonymous = { 'content-type': 'application/json', 'x-request-id': 'r1', 'x-client-address': '10.0.0.1' };
const withToken = (token: string) => ({ ...anonymous, authorization: `Bearer ${token}` });

describe('collapseKey', () => {
  it('is the same for the same request whatever its request id', () => {
    const a = collapseKey({ url: URL, headers: { ...withToken('a'), 'x-request-id': 'one' }, body: PRODUCTS });
    const b = collapseKey({ url: URL, headers: { ...withToken('a'), 'x-request-id': 'two' }, body: PRODUCTS });
    expect(a).toBeDefined();
    expect(a).toBe(b);
  });

  it('differs by credential, client address, variables and URL', () => {
    const base = collapseKey({ url: URL, headers: withToken('a'), body: PRODUCTS });
    expect(collapseKey({ url: URL, headers: withToken('b'), body: PRODUCTS })).not.toBe(base);
    expect(
      collapseKey({ url: URL, headers: { ...withToken('a'), 'x-client-address': '10.0.0.2' }, body: PRODUCTS }),
    ).not.toBe(base);
    expect(collapseKey({ url: URL, headers: anonymous, body: PRODUCTS })).not.toBe(base);
    expect(collapseKey({ url: `${URL}x`, headers: withToken('a'), body: PRODUCTS })).not.toBe(base);
    expect(collapseKey({ url: URL, headers: withToken('a'), body: ENTITIES('Product') })).not.toBe(base);
  });

  it('is undefined for a mutation: never sent once for two callers', () => {
    expect(collapseKey({ url: URL, headers: anonymous, body: body('mutation M{createProduct{id}}') })).toBeUndefined();
  });
});

describe('PublicCatalogCacheability', () => {
  const rules = new PublicCatalogCacheability();
  const key = (subgraph: string, headers: Record<string, string>, requestBody: string) =>
    rules.cacheKey(subgraph, { url: URL, headers, body: requestBody });

  it('caches anonymous catalog queries and Product entity fetches of the product subgraph', () => {
    expect(key('product', anonymous, PRODUCTS)).toBeDefined();
    expect(
      key('product', anonymous, body('query Catalog__product__0{brands{id name}categories{id name}}')),
    ).toBeDefined();
    expect(key('product', anonymous, ENTITIES('Product'))).toBeDefined();
  });

  it('never caches a fetch with a credential, of another subgraph, or with another root field', () => {
    expect(key('product', withToken('a'), PRODUCTS)).toBeUndefined();
    expect(key('product', { ...anonymous, Authorization: 'Bearer x' }, PRODUCTS)).toBeUndefined();
    expect(key('order', anonymous, PRODUCTS)).toBeUndefined();
    expect(key('product', anonymous, body('query Q{products{edges{node{id}}}me{id}}'))).toBeUndefined();
    expect(key('product', anonymous, ENTITIES('Order'))).toBeUndefined();
    expect(key('product', anonymous, body('mutation M{createProduct{id}}'))).toBeUndefined();
    expect(key('product', anonymous, 'not json')).toBeUndefined();
  });

  it('keys by URL and the whole body, not by headers that do not change the answer', () => {
    const a = key('product', anonymous, PRODUCTS);
    expect(key('product', { ...anonymous, 'x-request-id': 'r2', 'x-client-address': '10.9.9.9' }, PRODUCTS)).toBe(a);
    expect(key('product', anonymous, ENTITIES('Product'))).not.toBe(a);
  });
});

/** A fetcher that answers each request after `release()`, counting what it was sent. */
function fakeSubgraph() {
  const sent: { headers: Record<string, string>; body: string }[] = [];
  let release: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const fetcher: Fetcher = async (_url, init) => {
    const headers = init?.headers as Record<string, string>;
    sent.push({ headers, body: init?.body as string });
    await gate;
    const data = { products: { caller: headers.authorization ?? 'anonymous', n: sent.length } };
    return new BufferedResponse({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ data }),
    }) as never;
  };
  return {
    sent,
    fetcher,
    release: () => {
      release();
      gate = Promise.resolve();
    },
  };
}

const call = (fetcher: Fetcher, headers: Record<string, string>, requestBody = PRODUCTS) =>
  fetcher(URL, { method: 'POST', headers, body: requestBody }).then((response) => response.json()) as Promise<any>;

describe('shareFetches', () => {
  it('sends identical fetches in flight once, and gives each caller an object of its own', async () => {
    const subgraph = fakeSubgraph();
    const shared = shareFetches(subgraph.fetcher, { subgraph: 'product' });
    const answers = [call(shared, withToken('a')), call(shared, withToken('a')), call(shared, withToken('b'))];
    subgraph.release();
    const [a1, a2, b] = await Promise.all(answers);
    expect(subgraph.sent).toHaveLength(2);
    expect(a1).toEqual(a2);
    expect(a1).not.toBe(a2);
    expect(a1.data.products.caller).toBe('Bearer a');
    expect(b.data.products.caller).toBe('Bearer b');
  });

  it('serves anonymous catalog answers from the cache while live, and never an answer fetched across a change', async () => {
    const subgraph = fakeSubgraph();
    const cache = new PublicCache(new MemoryResponseStore(), new PublicCatalogCacheability(), 60_000);
    cache.live = true;
    const shared = shareFetches(subgraph.fetcher, { subgraph: 'product', cache });
    // A change arrives while the first fetch is in flight: its answer may be older than the change.
    const first = call(shared, anonymous);
    await new Promise((resolve) => setImmediate(resolve));
    await cache.invalidate();
    subgraph.release();
    await first;
    await call(shared, anonymous);
    expect(subgraph.sent).toHaveLength(2);
    await call(shared, anonymous);
    expect(subgraph.sent).toHaveLength(2);
    // A customer's fetch is never served from the cache.
    await call(shared, withToken('a'));
    expect(subgraph.sent).toHaveLength(3);
    // Not live (the change events are not heard): nothing comes from the cache.
    cache.live = false;
    await call(shared, anonymous);
    expect(subgraph.sent).toHaveLength(4);
  });
});
