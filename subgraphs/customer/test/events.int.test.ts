import { ormOptions } from '@commerce-supergraph/shared/db/orm';
import { OutboxMessage } from '@commerce-supergraph/shared/events/outbox';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { dropDatabase } from '@commerce-supergraph/test-support/database';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { streamEvents } from '@commerce-supergraph/test-support/jetstream';
import { startNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCustomerSubgraph } from '../src/app.js';
import { entities } from '../src/entities/index.js';
import { CUSTOMER_STREAM, CustomerSubjects } from '../src/events/contracts/published.js';
import { migrations } from '../src/migrations/index.js';
import { TEST_GATEWAY_SECRET, testCustomerConfig } from './helpers.js';

const REGISTER = `mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { token customer { id } userErrors { code } } }`;
const WAIT = { timeout: 20_000, interval: 100 };

// A NATS of this file's own: the outage test stops and restarts it.
const nats = await startNatsServer();
const config = testCustomerConfig({ NATS_URL: nats.url });
const subgraph = createCustomerSubgraph(config, {
  events: { relay: { sweepIntervalMs: 200 }, bus: { reconnectWaitMs: 100, reconnectJitterMs: 50 } },
});
let server: RunningServer;

const call = (
  query: string,
  variables: Record<string, unknown>,
  options: { token?: string; requestId?: string } = {},
) =>
  postGraphQL(server.url, query, variables, {
    token: options.token,
    gatewaySecret: TEST_GATEWAY_SECRET,
    headers: options.requestId ? { 'x-request-id': options.requestId } : {},
  });

async function register(email: string, requestId?: string): Promise<{ id: string; token: string }> {
  const res = await call(REGISTER, { input: { name: 'Ada', email, password: 'password123' } }, { requestId });
  expect(res.data?.registerCustomer.userErrors).toEqual([]);
  return { id: res.data?.registerCustomer.customer.id, token: res.data?.registerCustomer.token };
}

const customerIdOf = (event: { data: unknown }): string => (event.data as { customerId: string }).customerId;
const published = () => streamEvents(nats.url, CUSTOMER_STREAM.name);
const readiness = async () => {
  const res = await fetch(server.url.replace('/graphql', '/ready'), { signal: AbortSignal.timeout(2_000) });
  return { status: res.status, checks: ((await res.json()) as { checks: Record<string, string> }).checks };
};
const natsHealth = async () => {
  const res = await fetch(server.url.replace('/graphql', '/health'), { signal: AbortSignal.timeout(2_000) });
  return { status: res.status, nats: ((await res.json()) as { nats: { status: string } }).nats.status };
};

beforeAll(async () => {
  server = await subgraph.start();
  await vi.waitFor(async () => expect((await readiness()).status).toBe(200), WAIT);
  await vi.waitFor(async () => expect(await natsHealth()).toEqual({ status: 200, nats: 'connected' }), WAIT);
});
afterAll(async () => {
  await subgraph.stop();
  await dropDatabase(config.dbName);
  await nats.dispose();
});

describe('customer events through the outbox', () => {
  it('publishes what changed, with the request id as correlation id', async () => {
    const ada = await register('ada.events@example.com', 'req-register-1');
    const update = await call(
      `mutation($id: ID!) { updateCustomer(id: $id, input: { name: " Ada L ", phone: "+4915112345678",
        address: "12 St James Square, London", dateOfBirth: "1815-12-10" }) { userErrors { code } } }`,
      { id: ada.id },
      { token: ada.token, requestId: 'req-update-1' },
    );
    expect(update.data?.updateCustomer.userErrors).toEqual([]);
    await call(
      `mutation { setFinancialProfile(input: { annualIncome: "60000.5", monthlyDebts: "0", totalAssets: "1500",
        employmentStatus: EMPLOYED }) { userErrors { code } } }`,
      {},
      { token: ada.token },
    );
    await call(REGISTER, { input: { name: 'Ada', email: 'ADA.events@example.com', password: 'password123' } });
    await vi.waitFor(
      async () => expect((await published()).filter((e) => customerIdOf(e) === ada.id)).toHaveLength(3),
      WAIT,
    );
    const events = (await published()).filter((e) => customerIdOf(e) === ada.id);
    expect(events.map((e) => [e.type, e.correlationId, e.source])).toEqual([
      [CustomerSubjects.registered, 'req-register-1', 'customer'],
      [CustomerSubjects.updated, 'req-update-1', 'customer'],
      [CustomerSubjects.financialProfileSet, expect.any(String), 'customer'],
    ]);
    // Ids and the names of what changed: no consumer reads more, so nothing personal is published.
    expect(events.map((e) => e.data)).toEqual([
      { customerId: ada.id },
      { customerId: ada.id, changedFields: ['name', 'phone', 'address', 'dateOfBirth'] },
      { customerId: ada.id },
    ]);
    // The admin created at start-up was announced too (without its email); the refused second registration was not.
    const registered = (await published()).filter((e) => e.type === CustomerSubjects.registered);
    expect(registered.map((e) => e.data)).toEqual([{ customerId: expect.any(String) }, { customerId: ada.id }]);
  });

  it('keeps phone, address, date of birth, name, email and amounts out of the outbox and the stream', async () => {
    const bo = await register('bo.private@example.com');
    const update = await call(
      `mutation($id: ID!) { updateCustomer(id: $id, input: { name: "Bo Private", phone: "+4915199999999",
        address: "7 Hidden Lane", dateOfBirth: "1990-04-01" }) { userErrors { code } } }`,
      { id: bo.id },
      { token: bo.token },
    );
    expect(update.data?.updateCustomer.userErrors).toEqual([]);
    await call(
      `mutation { setFinancialProfile(input: { annualIncome: "98765.43", monthlyDebts: "1234.56", totalAssets: "5555",
        employmentStatus: RETIRED }) { userErrors { code } } }`,
      {},
      { token: bo.token },
    );
    const personal = [
      'bo.private',
      'Bo Private',
      '+4915199999999',
      '7 Hidden Lane',
      '1990-04-01',
      '98765.43',
      '1234.56',
    ];

    const rows = await outboxRows(bo.id);
    expect(rows.map((row) => row.subject)).toEqual([
      CustomerSubjects.registered,
      CustomerSubjects.updated,
      CustomerSubjects.financialProfileSet,
    ]);
    for (const value of personal) expect(JSON.stringify(rows)).not.toContain(value);

    await vi.waitFor(
      async () => expect((await published()).filter((e) => customerIdOf(e) === bo.id)).toHaveLength(3),
      WAIT,
    );
    const events = (await published()).filter((e) => customerIdOf(e) === bo.id);
    for (const value of personal) expect(JSON.stringify(events)).not.toContain(value);
    const updated = events.find((e) => e.type === CustomerSubjects.updated);
    expect(Object.keys(updated?.data as object).sort()).toEqual(['changedFields', 'customerId']);
  });

  it('stays ready while NATS is down, takes registrations, and publishes each exactly once when it is back', async () => {
    await nats.stop();
    // A broker outage is no API outage: /health says NATS is down, /ready stays 200 (writes go to the outbox).
    await vi.waitFor(async () => expect(await natsHealth()).toEqual({ status: 200, nats: 'disconnected' }), WAIT);
    expect(await readiness()).toEqual({ status: 200, checks: { database: 'ok' } });
    const customers = [];
    for (let n = 0; n < 10; n++) customers.push(await register(`offline${n}@example.com`));
    expect(await readiness()).toEqual({ status: 200, checks: { database: 'ok' } });
    expect(await unpublishedRows()).toBeGreaterThanOrEqual(10);

    await nats.start();
    await vi.waitFor(async () => expect(await natsHealth()).toEqual({ status: 200, nats: 'connected' }), WAIT);
    const ids = customers.map((c) => c.id).sort();
    await vi.waitFor(async () => {
      const events = (await published()).filter((e) => ids.includes(customerIdOf(e)));
      expect(events.map(customerIdOf).sort()).toEqual(ids);
    }, WAIT);
    const all = await published();
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect(all.every((e) => e.msgId === e.id)).toBe(true);
    await vi.waitFor(async () => expect(await unpublishedRows()).toBe(0), WAIT);
  });
});

async function unpublishedRows(): Promise<number> {
  const orm = await MikroORM.init(
    ormOptions({ url: config.databaseUrl, dbName: config.dbName, entities, migrations, log: createLogger('t') }),
  );
  try {
    return await orm.em.fork().count(OutboxMessage, { publishedAt: null });
  } finally {
    await orm.close();
  }
}

/** The outbox rows about one customer, read straight from the table, oldest first. */
async function outboxRows(customerId: string): Promise<{ subject: string; payload: unknown }[]> {
  return querySql(
    config.dbName,
    `select subject, payload from outbox_messages where payload -> 'data' ->> 'customerId' = ? order by created_at, id`,
    [customerId],
  );
}
