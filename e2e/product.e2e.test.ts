import { randomUUID } from 'node:crypto';
import {
  CatalogDocument,
  CreateBrandDocument,
  CreateCategoryDocument,
  CreateProductDocument,
  type CreateProductInput,
  LoginDocument,
  ProductDocument,
  ProductsDocument,
  type ProductsQueryVariables,
  RegisterCustomerDocument,
  RestockProductDocument,
  UpdateProductDocument,
} from '@commerce-supergraph/storefront/gql';
import { errorCodes, type GraphQLResponse, type Variables } from '@commerce-supergraph/test-support/graphql-client';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startSupergraph, type TestSupergraph } from './support/supergraph.js';
import { userErrors } from './support/user-errors.js';

let graph: TestSupergraph;
const tokens = { admin: '', customer: '' };
/** Unique words for this run, so searches find only what this file created. */
const run = randomUUID().slice(0, 8);

beforeAll(async () => {
  graph = await startSupergraph();
  const login = await graph.send(LoginDocument, { input: ADMIN });
  tokens.admin = login.data?.login.token as string;
  const registered = await graph.send(RegisterCustomerDocument, {
    input: { name: 'Shopper', email: `shopper-${run}@example.com`, password: 'window-shopping' },
  });
  tokens.customer = registered.data?.registerCustomer.token as string;
});
afterAll(() => graph?.stop());

/** Anonymous unless a token is given: the storefront's reads need none. */
const send = <TData, TVariables extends Variables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  token?: string,
) => graph.send(document, variables, token);
const asAdmin = <TData, TVariables extends Variables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
) => send(document, variables, tokens.admin);
const products = async (variables: ProductsQueryVariables, token?: string) => {
  const res = await send(ProductsDocument, variables, token);
  expect(res.errors).toBeUndefined();
  return res.data?.products as {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { id: string; sku: string; name: string; available: number; inStock: boolean } }[];
  };
};
const skusOf = (page: { edges: { node: { sku: string } }[] }) => page.edges.map((e) => e.node.sku);

async function createProduct(input: Omit<CreateProductInput, 'price'> & { price?: string }) {
  const res = await asAdmin(CreateProductDocument, { input: { price: '10', ...input } });
  expect(userErrors(res, 'createProduct')).toEqual([]);
  return res.data?.createProduct.product as { id: string; sku: string };
}
async function createNamed(kind: 'Brand' | 'Category', name: string): Promise<string> {
  if (kind === 'Brand') return (await asAdmin(CreateBrandDocument, { name })).data?.createBrand.brand?.id as string;
  return (await asAdmin(CreateCategoryDocument, { name })).data?.createCategory.category?.id as string;
}

describe('Catalog, CreateBrand and CreateCategory', () => {
  it('lists the demo catalog seeded at start-up and what an admin adds, by name', async () => {
    const brandId = await createNamed('Brand', `Zephyr ${run}`);
    const categoryId = await createNamed('Category', `Zines ${run}`);
    const res = await graph.send(CatalogDocument);
    expect(res.data?.brands.length).toBeGreaterThanOrEqual(5);
    expect(res.data?.categories.length).toBeGreaterThanOrEqual(5);
    expect(res.data?.brands).toContainEqual({ id: brandId, name: `Zephyr ${run}` });
    expect(res.data?.categories).toContainEqual({ id: categoryId, name: `Zines ${run}` });
    const names = res.data?.brands.map((b: { name: string }) => b.name);
    expect(names).toEqual([...(names ?? [])].sort());
    const seeded = await products({ first: 100 });
    expect(seeded.totalCount).toBeGreaterThanOrEqual(20);
  });

  it('reports TAKEN for a name in use whatever its case, and BLANK for an empty one', async () => {
    await createNamed('Brand', `Quill ${run}`);
    expect(userErrors(await asAdmin(CreateBrandDocument, { name: `QUILL ${run}` }), 'createBrand')).toEqual([
      ['name', 'TAKEN'],
    ]);
    expect(userErrors(await asAdmin(CreateCategoryDocument, { name: ' ' }), 'createCategory')).toEqual([
      ['name', 'BLANK'],
    ]);
    const res = await asAdmin(CreateCategoryDocument, { name: 'Outdoor' });
    expect(res.data?.createCategory).toMatchObject({
      category: null,
      userErrors: [{ field: ['name'], code: 'TAKEN' }],
    });
  });
});

describe('admin-only mutations', () => {
  // Each mutation with its variables, sent with the given token (or none).
  const attempt =
    <TData, TVariables extends Variables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables) =>
    (token?: string) =>
      send(document, variables, token);
  const attempts: [string, (token?: string) => Promise<GraphQLResponse<unknown>>][] = [
    ['CreateProduct', attempt(CreateProductDocument, { input: { sku: `NOPE-${run}`, name: 'Nope', price: '1' } })],
    ['UpdateProduct', attempt(UpdateProductDocument, { id: randomUUID(), input: { name: 'Nope' } })],
    ['RestockProduct', attempt(RestockProductDocument, { input: { productId: randomUUID(), quantity: 1 } })],
    ['CreateBrand', attempt(CreateBrandDocument, { name: `Nope ${run}` })],
    ['CreateCategory', attempt(CreateCategoryDocument, { name: `Nope ${run}` })],
  ];

  it('are FORBIDDEN for a customer and UNAUTHENTICATED without a token, and change nothing', async () => {
    for (const [name, sendAs] of attempts) {
      const byCustomer = await sendAs(tokens.customer);
      expect(errorCodes(byCustomer), name).toEqual(['FORBIDDEN']);
      expect(byCustomer.data, name).toBeNull();
      expect(errorCodes(await sendAs()), name).toEqual(['UNAUTHENTICATED']);
    }
    expect((await products({ filter: { search: `NOPE-${run}` } })).totalCount).toBe(0);
    const catalog = await graph.send(CatalogDocument);
    expect(JSON.stringify(catalog.data)).not.toContain(`Nope ${run}`);
  });
});

describe('CreateProduct and Product', () => {
  it('creates a product with an exact price, the default currency and its stock, readable by anyone', async () => {
    const res = await asAdmin(CreateProductDocument, {
      input: { sku: `LAMP-${run}`, name: 'Reading Lamp', description: 'Warm light.', price: '19.9', initialStock: 7 },
    });
    expect(res.data?.createProduct).toMatchObject({
      userErrors: [],
      product: {
        sku: `LAMP-${run}`,
        name: 'Reading Lamp',
        price: { amount: '19.90', currencyCode: 'USD' },
        available: 7,
      },
    });
    const read = await send(ProductDocument, { id: res.data?.createProduct.product?.id as string });
    expect(read.data?.product).toMatchObject({ description: 'Warm light.', available: 7, inStock: true });
  });

  it('reports BLANK, INVALID and NOT_FOUND with field paths, and stores nothing', async () => {
    const res = await asAdmin(CreateProductDocument, {
      input: {
        sku: '',
        name: ' ',
        price: '0.999',
        currencyCode: 'euro',
        initialStock: -1,
        brandId: randomUUID(),
        categoryId: 'x',
      },
    });
    expect(res.data?.createProduct.product).toBeNull();
    expect(userErrors(res, 'createProduct')).toEqual([
      ['input.sku', 'BLANK'],
      ['input.name', 'BLANK'],
      ['input.price', 'INVALID'],
      ['input.currencyCode', 'INVALID'],
      ['input.initialStock', 'INVALID'],
    ]);
    const missing = await asAdmin(CreateProductDocument, {
      input: { sku: `MISS-${run}`, name: 'Orphan', price: '5', brandId: randomUUID(), categoryId: 'not-an-id' },
    });
    expect(userErrors(missing, 'createProduct')).toEqual([
      ['input.brandId', 'NOT_FOUND'],
      ['input.categoryId', 'NOT_FOUND'],
    ]);
    expect((await products({ filter: { search: `MISS-${run}` } })).totalCount).toBe(0);
  });

  it('reports TAKEN for a SKU in use whatever its case', async () => {
    await createProduct({ sku: `DUP-${run}`, name: 'First' });
    const res = await asAdmin(CreateProductDocument, { input: { sku: `dup-${run}`, name: 'Second', price: '2' } });
    expect(userErrors(res, 'createProduct')).toEqual([['input.sku', 'TAKEN']]);
  });

  it('answers null for an unknown or malformed id', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      expect(await send(ProductDocument, { id })).toMatchObject({ data: { product: null } });
    }
  });
});

describe('UpdateProduct and RestockProduct', () => {
  it('change name, price and active; an inactive product is listed to admins only', async () => {
    const { id } = await createProduct({ sku: `UPD-${run}`, name: 'Old Name', initialStock: 1 });
    const res = await asAdmin(UpdateProductDocument, { id, input: { name: 'New Name', price: '7.5', active: false } });
    expect(res.data?.updateProduct).toEqual({
      userErrors: [],
      product: { id, name: 'New Name', price: { amount: '7.50', currencyCode: 'USD' } },
    });
    expect((await products({ filter: { search: `UPD-${run}` } })).totalCount).toBe(0);
    expect(skusOf(await products({ filter: { search: `UPD-${run}` } }, tokens.admin))).toEqual([`UPD-${run}`]);
    expect((await send(ProductDocument, { id })).data?.product?.name).toBe('New Name');
  });

  it('report INVALID and NOT_FOUND, and change nothing', async () => {
    const { id } = await createProduct({ sku: `BAD-${run}`, name: 'Kept', initialStock: 2 });
    expect(userErrors(await asAdmin(UpdateProductDocument, { id, input: { price: '-1' } }), 'updateProduct')).toEqual([
      ['input.price', 'INVALID'],
    ]);
    const unknown = randomUUID();
    expect(
      userErrors(await asAdmin(UpdateProductDocument, { id: unknown, input: { name: 'X' } }), 'updateProduct'),
    ).toEqual([['id', 'NOT_FOUND']]);
    const restock = (productId: string, quantity: number) =>
      asAdmin(RestockProductDocument, { input: { productId, quantity } });
    expect(userErrors(await restock(id, 0), 'restockProduct')).toEqual([['input.quantity', 'INVALID']]);
    expect(userErrors(await restock(unknown, 3), 'restockProduct')).toEqual([['input.productId', 'NOT_FOUND']]);
    expect((await restock(id, 3)).data?.restockProduct).toEqual({ userErrors: [], product: { id, available: 5 } });
    const read = await send(ProductDocument, { id });
    expect(read.data?.product).toMatchObject({ name: 'Kept', price: { amount: '10.00' }, available: 5 });
  });
});

describe('Products: paging and filters', () => {
  const term = `Pager${run}`;
  const fixtures = { brandId: '', categoryId: '', soldOut: '' };

  beforeAll(async () => {
    fixtures.brandId = await createNamed('Brand', `Paging Brand ${run}`);
    fixtures.categoryId = await createNamed('Category', `Paging Category ${run}`);
    // 25 products sharing the search term; names repeat, so only the id keeps their order total.
    const created = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        createProduct({
          sku: `PG-${run}-${String(i).padStart(2, '0')}`,
          name: `${term} Item ${i % 4}`,
          initialStock: i === 0 ? 0 : 3,
          ...(i % 5 === 0 ? { brandId: fixtures.brandId } : {}),
          ...(i % 5 === 1 ? { categoryId: fixtures.categoryId } : {}),
        }),
      ),
    );
    fixtures.soldOut = created.find((p) => p.sku.endsWith('-00'))?.sku ?? '';
  });

  it('pages through every match with first: 10 without gaps or overlaps', async () => {
    const pages = [];
    let after: string | null = null;
    do {
      const page = await products({ first: 10, after, filter: { search: term } });
      expect(page.totalCount).toBe(25);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
      pages.push(page);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(pages.map((p) => p.edges.length)).toEqual([10, 10, 5]);
    const seen = pages.flatMap(skusOf);
    expect(new Set(seen).size).toBe(25);
    expect(seen.every((sku) => sku.startsWith(`PG-${run}-`))).toBe(true);
    const names = pages.flatMap((p) => p.edges.map((e) => e.node.name));
    expect(names).toEqual([...(names ?? [])].sort());
  });

  it('returns 20 by default and refuses more than 100 or a cursor it did not issue', async () => {
    expect((await products({ filter: { search: term } })).edges).toHaveLength(20);
    expect(errorCodes(await send(ProductsDocument, { first: 101 }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await send(ProductsDocument, { first: 5, after: 'bm90LWEtY3Vyc29y' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  it('searches name and SKU case-insensitively', async () => {
    expect((await products({ filter: { search: term.toUpperCase() } })).totalCount).toBe(25);
    expect(skusOf(await products({ filter: { search: `pg-${run}-07` } }))).toEqual([`PG-${run}-07`]);
  });

  it('filters by brand, by category and by stock, and combines filters', async () => {
    const brand = await products({ filter: { brandId: fixtures.brandId } });
    expect(skusOf(brand).sort()).toEqual(['00', '05', '10', '15', '20'].map((n) => `PG-${run}-${n}`));
    expect(brand.edges[0]?.node).toMatchObject({ brand: { id: fixtures.brandId, name: `Paging Brand ${run}` } });
    const category = await products({ filter: { categoryId: fixtures.categoryId } });
    expect(skusOf(category).sort()).toEqual(['01', '06', '11', '16', '21'].map((n) => `PG-${run}-${n}`));
    expect(category.edges[0]?.node).toMatchObject({ category: { name: `Paging Category ${run}` }, brand: null });
    const soldOut = await products({ filter: { search: term, inStock: false } });
    expect(soldOut.edges.map((e) => [e.node.sku, e.node.available, e.node.inStock])).toEqual([
      [fixtures.soldOut, 0, false],
    ]);
    expect((await products({ filter: { search: term, inStock: true } })).totalCount).toBe(24);
    expect((await products({ filter: { brandId: fixtures.brandId, inStock: true } })).totalCount).toBe(4);
    expect((await products({ filter: { brandId: randomUUID() } })).totalCount).toBe(0);
  });
});
