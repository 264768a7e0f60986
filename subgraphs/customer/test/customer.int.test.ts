import { ormOptions } from '@commerce-supergraph/shared/db/orm';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { dropDatabase } from '@commerce-supergraph/test-support/database';
import { errorCodes, postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { unmigratedSchemaChanges } from '@commerce-supergraph/test-support/migrations';
import { startNatsServer, type TestNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { QueryCounter } from '@commerce-supergraph/test-support/query-counter';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomerSubgraph } from '../src/app.js';
import { Customer, entities } from '../src/entities/index.js';
import { migrations } from '../src/migrations/index.js';
import { TEST_GATEWAY_SECRET, testCustomerConfig } from './helpers.js';

const REGISTER = `mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { token customer { id email } userErrors { field code } } }`;
const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id email } } }`;

// A NATS of its own: the CUSTOMERS stream must not land on the machine's server.
const nats: TestNatsServer = await startNatsServer();
const config = testCustomerConfig({ NATS_URL: nats.url });
const counter = new QueryCounter();
// No periodic sweep: its query must not land among the ones the N+1 test counts (commits still kick).
const subgraph = createCustomerSubgraph(config, {
  orm: counter.overrides,
  events: { relay: { sweepIntervalMs: 3_600_000 } },
});
let server: RunningServer;

const call = (query: string, variables: Record<string, unknown> = {}, token?: string, requestId?: string) =>
  postGraphQL(server.url, query, variables, {
    token,
    gatewaySecret: TEST_GATEWAY_SECRET,
    headers: requestId ? { 'x-request-id': requestId } : {},
  });

async function register(email: string) {
  const res = await call(REGISTER, { input: { name: 'Test', email, password: 'password123' } });
  return res.data?.registerCustomer as { token: string; customer: { id: string } };
}

beforeAll(async () => {
  server = await subgraph.start();
});
afterAll(async () => {
  await subgraph.stop();
  await dropDatabase(config.dbName);
  await nats.dispose();
});

describe('customer subgraph against PostgreSQL', () => {
  it('has migrations that match the entities exactly', async () => {
    const options = { url: config.databaseUrl, dbName: config.dbName, entities, migrations };
    expect(await unmigratedSchemaChanges(options)).toBe('');
  });

  it('resolves N customers through _entities with one SQL query', async () => {
    const customers = await Promise.all(Array.from({ length: 12 }, (_, i) => register(`entities${i}@example.com`)));
    const admin = await call(
      `mutation { login(input: { email: "admin@example.com", password: "admin-password-for-tests" }) { token } }`,
    );
    const reps = customers.map((c) => ({ __typename: 'Customer', id: c.customer.id }));
    counter.reset();
    // Counted for this request alone: background work (the notification sweep) may query meanwhile.
    const res = await call(ENTITIES, { reps }, admin.data?.login.token, 'req-entities-n');
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities.map((c: { id: string }) => c.id)).toEqual(customers.map((c) => c.customer.id));
    expect(counter.forRequest('req-entities-n')).toHaveLength(1);
  });

  it('does not let a customer read another customer through _entities', async () => {
    const alice = await register('alice.entities@example.com');
    const bob = await register('bob.entities@example.com');
    const reps = [{ __typename: 'Customer', id: bob.customer.id }];
    const res = await call(ENTITIES, { reps }, alice.token);
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(res.data)).not.toContain('bob.entities');
    const anonymous = await call(ENTITIES, { reps });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const own = await call(ENTITIES, { reps: [{ __typename: 'Customer', id: alice.customer.id }] }, alice.token);
    expect(own.data?._entities).toEqual([{ id: alice.customer.id, email: 'alice.entities@example.com' }]);
  });

  it('gives exactly one of two racing registrations of one email the account', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        call(REGISTER, { input: { name: 'R', email: 'Race@Example.com', password: 'password123' } }),
      ),
    );
    const payloads = results.map((r) => r.data?.registerCustomer);
    expect(payloads.filter((p) => p.customer)).toHaveLength(1);
    expect(payloads.filter((p) => p.userErrors[0]?.code === 'TAKEN')).toHaveLength(4);
    const [row] = await countCustomers('race@example.com');
    expect(row).toBe(1);
  });

  it('refuses every request without the gateway secret', async () => {
    for (const query of ['{ _service { sdl } }', '{ me { id } }', ENTITIES]) {
      const res = await postGraphQL(server.url, query, { reps: [] });
      expect(res.status).toBe(403);
      expect(res.data).toBeUndefined();
    }
  });
});

async function countCustomers(email: string): Promise<number[]> {
  const orm = await MikroORM.init(
    ormOptions({ url: config.databaseUrl, dbName: config.dbName, entities, migrations, log: createLogger('t') }),
  );
  try {
    return [await orm.em.fork().count(Customer, { email })];
  } finally {
    await orm.close();
  }
}
