import { describe, expect, it } from 'vitest';
import { collapseKey, PublicCatalogCacheability } from '../src/fetch-keys.js';
import { shareFetches } from '../src/fetch-sharing.js';
import { PublicCache } from '../src/public-cache.js';
import { MemoryResponseStore } from '../src/response-store.js';
import { BufferedResponse, type Fetcher } from '../src/subgraph-connections.js';

const URL = 'http://product:4002/graphql';
const body = (query: string, variables: object = {}) => JSON.stringify({ query, variables });
const PRODUCTS = body('query Products__product__0{products(first:20){edges{node{id name}}}}');
const ENTITY_QUERY = (selection: string) =>
  `query Dashboard__product__3($representations:[_Any!]!){_entities(representations:$representations){...on Product{${selection}}}}`;
const ENTITIES = (typename: string) =>
  body(ENTITY_QUERY('name'), { representations: [{ __typename: typename, id: '1' }] });
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
  const plan = (subgraph: string, headers: Record<string, string>, requestBody: string) =>
    rules.cachePlan(subgraph, { url: URL, headers, body: requestBody });

  it('caches anonymous catalog queries whole, and Product entity fetches entity by entity', () => {
    expect(plan('product', anonymous, PRODUCTS)?.kind).toBe('answer');
    expect(
      plan('product', anonymous, body('query Catalog__product__0{brands{id name}categories{id name}}'))?.kind,
    ).toBe('answer');
    expect(plan('product', anonymous, ENTITIES('Product'))).toMatchObject({
      kind: 'entities',
      keys: [expect.any(String)],
    });
  });

  it('caches an anonymous entity fetch of stock fields too, up to the TTL', () => {
    const stock = body(ENTITY_QUERY('name available'), { representations: [{ __typename: 'Product', id: '1' }] });
    expect(plan('product', anonymous, stock)?.kind).toBe('entities');
    expect(plan('product', withToken('a'), stock)).toBeUndefined();
  });

  it('never caches a fetch with a credential, of another subgraph, or with another root field', () => {
    expect(plan('product', withToken('a'), PRODUCTS)).toBeUndefined();
    expect(plan('product', { ...anonymous, Authorization: 'Bearer x' }, PRODUCTS)).toBeUndefined();
    expect(plan('product', withToken('a'), ENTITIES('Product'))).toBeUndefined();
    expect(plan('order', anonymous, PRODUCTS)).toBeUndefined();
    expect(plan('product', anonymous, body('query Q{products{edges{node{id}}}me{id}}'))).toBeUndefined();
    expect(plan('product', anonymous, ENTITIES('Order'))).toBeUndefined();
    expect(plan('product', anonymous, body('mutation M{createProduct{id}}'))).toBeUndefined();
    expect(plan('product', anonymous, 'not json')).toBeUndefined();
  });

  it('keys by URL and the whole body, not by headers that do not change the answer', () => {
    const a = plan('product', anonymous, PRODUCTS)?.keys;
    expect(
      plan('product', { ...anonymous, 'x-request-id': 'r2', 'x-client-address': '10.9.9.9' }, PRODUCTS)?.keys,
    ).toEqual(a);
    expect(plan('product', anonymous, ENTITIES('Product'))?.keys).not.toEqual(a);
  });

  it('keys an entity by its representation and the selection: the same product in two fetches is one entry', () => {
    const fetchOf = (ids: string[], selection = 'name', variables = {}) =>
      plan(
        'product',
        anonymous,
        body(ENTITY_QUERY(selection), {
          ...variables,
          representations: ids.map((id) => ({ __typename: 'Product', id })),
        }),
      )?.keys ?? [];
    const [one, two] = fetchOf(['1', '2']);
    expect(fetchOf(['2', '3'])[0]).toBe(two);
    expect(one).not.toBe(two);
    expect(fetchOf(['1'], 'name price{amount}')[0]).not.toBe(one);
    expect(fetchOf(['1'], 'name', { currency: 'EUR' })[0]).not.toBe(one);
  });

  it("takes an entity fetch of the catalog's types as public, whatever the caller", () => {
    const representations = (typename: string) => [{ __typename: typename, id: '1' }];
    expect(
      rules.isPublicEntityFetch('product', ENTITY_QUERY('name'), { representations: representations('Product') }),
    ).toBe(true);
    expect(
      rules.isPublicEntityFetch('order', ENTITY_QUERY('name'), { representations: representations('Product') }),
    ).toBe(false);
    expect(
      rules.isPublicEntityFetch('product', ENTITY_QUERY('name'), { representations: representations('Order') }),
    ).toBe(false);
    expect(rules.isPublicEntityFetch('product', 'query Q{me{id}}', {})).toBe(false);
    // Stock changes with no catalog event: a customer's fetch of it keeps its credential and is not cached.
    for (const selection of ['name available', 'inStock', 'brand{name} updatedAt']) {
      expect(
        rules.isPublicEntityFetch('product', ENTITY_QUERY(selection), { representations: representations('Product') }),
        selection,
      ).toBe(false);
    }
    expect(rules.isPublicEntityFetch('product', 'query Q__product__0{products{edges{node{id}}}}', {})).toBe(false);
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

  it('serves an entity fetch from the entities kept, and asks the subgraph only for the others', async () => {
    const subgraph = entitySubgraph();
    const entities = fetchEntities(shareFetches(subgraph.fetcher, { subgraph: 'product', cache: liveCache() }));
    expect(await entities(['1', '2'])).toEqual({ data: { _entities: [product('1', 1), product('2', 1)] } });
    // Every entity kept: answered in the order asked, nothing sent.
    expect(await entities(['2', '1'])).toEqual({ data: { _entities: [product('2', 1), product('1', 1)] } });
    expect(subgraph.sent).toEqual([['1', '2']]);
    // Some missing: only those are asked for, and kept, a product that is not there too.
    expect(await entities(['1', '3', 'gone'])).toEqual({
      data: { _entities: [product('1', 1), product('3', 2), null] },
    });
    expect(await entities(['gone', '3'])).toEqual({ data: { _entities: [null, product('3', 2)] } });
    expect(subgraph.sent).toEqual([
      ['1', '2'],
      ['3', 'gone'],
    ]);
  });

  it('empties on a change, and keeps nothing fetched across one', async () => {
    const subgraph = entitySubgraph();
    const cache = liveCache();
    const entities = fetchEntities(shareFetches(subgraph.fetcher, { subgraph: 'product', cache }));
    await entities(['1']);
    await cache.invalidate();
    expect(await entities(['1'])).toEqual({ data: { _entities: [product('1', 2)] } });
    expect(subgraph.sent).toHaveLength(2);
  });

  it('keeps nothing of an answer with an error, and gives the caller the whole fetch as the subgraph answers it', async () => {
    const subgraph = entitySubgraph();
    const entities = fetchEntities(shareFetches(subgraph.fetcher, { subgraph: 'product', cache: liveCache() }));
    await entities(['1']);
    // The missing entity fails: the fetch is sent whole, so the error's path is the caller's own.
    const failed = await entities(['1', 'error']);
    expect(failed.errors).toEqual([{ message: 'failed', path: ['_entities', 1] }]);
    expect(failed.data._entities).toEqual([product('1', 3), null]);
    expect(subgraph.sent).toEqual([['1'], ['error'], ['1', 'error']]);
    // Nothing of the failed answers was kept: the product kept first is still served.
    expect(await entities(['1'])).toEqual({ data: { _entities: [product('1', 1)] } });
    expect(subgraph.sent).toHaveLength(3);
  });
});

const product = (id: string, version: number) => ({ name: `product ${id} v${version}` });

function liveCache(): PublicCache {
  const cache = new PublicCache(new MemoryResponseStore(), new PublicCatalogCacheability(), 60_000);
  cache.live = true;
  return cache;
}

/** A product subgraph answering `_entities`: `gone` is no product, `error` fails with the rest answered. */
function entitySubgraph() {
  const sent: string[][] = [];
  const fetcher: Fetcher = async (_url, init) => {
    const { variables } = JSON.parse(init?.body as string) as { variables: { representations: { id: string }[] } };
    const ids = variables.representations.map((representation) => representation.id);
    sent.push(ids);
    const _entities = ids.map((id) =>
      id === 'gone' || id === 'error' ? null : { name: `product ${id} v${sent.length}` },
    );
    const errors = ids.includes('error')
      ? [{ message: 'failed', path: ['_entities', ids.indexOf('error')] }]
      : undefined;
    return new BufferedResponse({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ data: { _entities }, errors }),
    }) as never;
  };
  return { sent, fetcher };
}

const fetchEntities = (fetcher: Fetcher) => (ids: string[]) =>
  call(
    fetcher,
    anonymous,
    body(ENTITY_QUERY('name'), { representations: ids.map((id) => ({ __typename: 'Product', id })) }),
  );
