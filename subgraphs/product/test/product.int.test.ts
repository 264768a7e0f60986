import { randomUUID } from 'node:crypto';
import { OutboxMessage } from '@commerce-supergraph/shared/events/outbox';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { streamEvents } from '@commerce-supergraph/test-support/jetstream';
import { unmigratedSchemaChanges } from '@commerce-supergraph/test-support/migrations';
import { startNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { QueryCounter } from '@commerce-supergraph/test-support/query-counter';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createProductSubgraph } from '../src/app.js';
import { DEMO_PRODUCTS } from '../src/domain/demo-catalog.js';
import { entities } from '../src/entities/index.js';
import { CATALOG_STREAM, ProductSubjects, type ProductUpserted } from '../src/events/contracts/published.js';
import { migrations } from '../src/migrations/index.js';
import { openTestDatabase, TEST_GATEWAY_SECRET, type TestDatabase, testProductConfig, testTokens } from './helpers.js';

const CREATE = `mutation($input: CreateProductInput!) {
  createProduct(input: $input) { product { id sku price { amount currencyCode } } userErrors { field code } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateProductInput!) {
  updateProduct(id: $id, input: $input) { product { id } userErrors { code } } }`;
const RESTOCK = `mutation($input: RestockProductInput!) {
  restockProduct(input: $input) { product { id available } userErrors { code } } }`;
const ENTITIES = `query($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on Product { id sku name price { amount currencyCode } available } } }`;
const PAGE = `query($first: Int) { products(first: $first) {
  edges { node { id brand { name } category { name } } } } }`;
const WAIT = { timeout: 15_000, interval: 50 };

// A NATS of this file's own: the CATALOG stream must not land on the machine's server.
const nats = await startNatsServer();
const config = testProductConfig({ NATS_URL: nats.url });
const counter = new QueryCounter();
// No periodic sweep, so the relay runs only when a commit kicks it.
const subgraph = createProductSubgraph(config, {
  orm: counter.overrides,
  events: { relay: { sweepIntervalMs: 3_600_000 } },
});
let server: RunningServer;
let db: TestDatabase;
let tokens: Awaited<ReturnType<typeof testTokens>>;

const call = (query: string, variables: Record<string, unknown> = {}, token?: string, requestId?: string) =>
  postGraphQL(server.url, query, variables, {
    token,
    gatewaySecret: TEST_GATEWAY_SECRET,
    headers: requestId ? { 'x-request-id': requestId } : {},
  });
const createProduct = async (input: Record<string, unknown>, requestId?: string) =>
  (await call(CREATE, { input: { name: 'Widget', price: '12.5', ...input } }, tokens.admin, requestId)).data
    ?.createProduct;
const upserted = async () =>
  (await streamEvents(nats.url, CATALOG_STREAM.name)).filter((e) => e.type === ProductSubjects.productUpserted);
/** What the request made, without the outbox relay's own statements, which run whenever a commit kicks it. */
const requestStatements = () => counter.statements.filter((sql) => !sql.includes('outbox_messages'));

beforeAll(async () => {
  server = await subgraph.start();
  tokens = await testTokens(config);
  db = await openTestDatabase(config.dbName);
});
afterAll(async () => {
  await subgraph.stop();
  await db?.dispose();
  await nats.dispose();
});

describe('product subgraph against PostgreSQL and NATS', () => {
  it('has migrations that match the entities exactly', async () => {
    expect(
      await unmigratedSchemaChanges({ url: config.databaseUrl, dbName: config.dbName, entities, migrations }),
    ).toBe('');
  });

  it('seeds the empty catalog at start-up and publishes every demo product to the CATALOG stream', async () => {
    await vi.waitFor(async () => expect(await upserted()).toHaveLength(DEMO_PRODUCTS.length), WAIT);
    const events = await upserted();
    expect(events.every((e) => e.msgId === e.id && e.source === 'product')).toBe(true);
    expect(events.map((e) => (e.data as ProductUpserted).sku).sort()).toEqual(DEMO_PRODUCTS.map((p) => p.sku).sort());
    const ready = await fetch(server.url.replace('/graphql', '/ready'));
    expect(await ready.json()).toMatchObject({ checks: { database: 'ok', nats: 'ok' } });
  });

  it('resolves 50 products through _entities with one SQL query', async () => {
    const created = await Promise.all(Array.from({ length: 50 }, (_, i) => createProduct({ sku: `ENT-${i}` })));
    const reps = created.map((p) => ({ __typename: 'Product', id: p.product.id }));
    counter.reset();
    const res = await call(ENTITIES, { reps });
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities.map((p: { id: string }) => p.id)).toEqual(reps.map((r) => r.id));
    expect(res.data?._entities[0]).toMatchObject({ price: { amount: '12.50', currencyCode: 'USD' }, available: 0 });
    expect(requestStatements()).toHaveLength(1);
  });

  it('reads a page of products with its brands and categories in 4 queries, whatever its size', async () => {
    const counts: number[] = [];
    for (const first of [5, 70]) {
      counter.reset();
      const res = await call(PAGE, { first });
      expect(res.data?.products.edges).toHaveLength(first);
      counts.push(requestStatements().length);
    }
    expect(counts).toEqual([4, 4]);
  });

  it('publishes upserted on create and on a change, with the request as correlation, and not on a restock', async () => {
    const requestId = `req-${randomUUID()}`;
    const { product } = await createProduct({ sku: 'EVT-1', name: 'Event Lamp', price: '20' }, requestId);
    await call(UPDATE, { id: product.id, input: { price: '25.5', active: false } }, tokens.admin);
    await call(UPDATE, { id: product.id, input: { price: '25.50' } }, tokens.admin);
    await call(RESTOCK, { input: { productId: product.id, quantity: 3 } }, tokens.admin);
    const mine = async () => (await upserted()).filter((e) => (e.data as ProductUpserted).id === product.id);
    await vi.waitFor(async () => expect(await mine()).toHaveLength(2), WAIT);
    const [created, changed] = await mine();
    expect(created).toMatchObject({ correlationId: requestId, causationId: requestId });
    const base = { id: product.id, sku: 'EVT-1', name: 'Event Lamp', currency: 'USD' };
    expect(created?.data).toEqual({ ...base, price: '20.00', active: true });
    expect(changed?.data).toEqual({ ...base, price: '25.50', active: false });
    // Neither the unchanged update nor the restock wrote an event (the outbox is empty, not just slow).
    await vi.waitFor(async () => expect(await db.orm.em.fork().count(OutboxMessage, { publishedAt: null })).toBe(0));
    expect(await mine()).toHaveLength(2);
  });

  it('gives exactly one of five racing creations of one SKU the product, whatever its case', async () => {
    const results = await Promise.all(
      ['race-1', 'RACE-1', 'Race-1', 'race-1', 'RaCe-1'].map((sku) => createProduct({ sku })),
    );
    expect(results.filter((r) => r.product)).toHaveLength(1);
    expect(results.filter((r) => r.userErrors[0]?.code === 'TAKEN')).toHaveLength(4);
    const [row] = await db.orm.em.fork().execute("select count(*)::int as n from products where lower(sku) = 'race-1'");
    expect(row?.n).toBe(1);
  });

  it('refuses every request without the gateway secret', async () => {
    for (const query of ['{ _service { sdl } }', '{ brands { id } }', ENTITIES]) {
      const res = await postGraphQL(server.url, query, { reps: [] });
      expect(res.status).toBe(403);
      expect(res.data).toBeUndefined();
    }
  });
});
