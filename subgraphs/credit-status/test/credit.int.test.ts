import { randomUUID } from 'node:crypto';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { dropDatabase } from '@commerce-supergraph/test-support/database';
import { errorCodes, postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { startNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { QueryCounter } from '@commerce-supergraph/test-support/query-counter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCreditStatusSubgraph } from '../src/app.js';
import { CREDIT_OF, callSubgraph, inspect, testCreditConfig, testTokens } from './helpers.js';

// A NATS of its own: the CREDIT stream must not land on the machine's server.
const nats = await startNatsServer();
const config = testCreditConfig({ NATS_URL: nats.url });
const counter = new QueryCounter();
// No periodic sweep: its query must not land among the ones the N+1 test counts (commits still kick).
// Enough connections that racing first reads really run at once instead of queueing for the pool.
const subgraph = createCreditStatusSubgraph(config, {
  orm: { ...counter.overrides, pool: { min: 0, max: 25 } },
  events: { relay: { sweepIntervalMs: 3_600_000 } },
});
const tokens = testTokens(config);
let server: RunningServer;
let db: Awaited<ReturnType<typeof inspect>>;
let admin: string;
const call = callSubgraph(() => server.url);

const rep = (id: string, financialProfile?: { annualIncome: string; monthlyDebts: string } | null) => ({
  __typename: 'Customer',
  id,
  ...(financialProfile === undefined ? {} : { financialProfile }),
});

beforeAll(async () => {
  server = await subgraph.start();
  db = await inspect(config);
  admin = await tokens.admin();
});
afterAll(async () => {
  await subgraph.stop();
  await db?.close();
  await dropDatabase(config.dbName);
  await nats.dispose();
});

describe('credit status of a customer', () => {
  it('has migrations that match the entities exactly', async () => {
    expect((await db.orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe('');
  });

  it('creates a missing status at 650 FAIR on first read, and reads N customers with two queries', async () => {
    const ids = Array.from({ length: 12 }, () => randomUUID());
    const reps = ids.map((id) => rep(id, null));
    const first = await call(CREDIT_OF, { reps }, admin);
    expect(first.errors).toBeUndefined();
    expect(first.data?._entities).toEqual(
      ids.map((id) => ({ id, creditStatus: { score: 650, band: 'FAIR', history: [] }, riskAssessment: null })),
    );
    counter.reset();
    const again = await call(CREDIT_OF, { reps }, admin);
    expect(again.data?._entities).toEqual(first.data?._entities);
    // One for the statuses, one for the histories: the same for 1 customer or 12.
    expect(counter.statements).toHaveLength(2);
  });

  it('never creates a status twice when many first reads race', async () => {
    const id = randomUUID();
    const token = await tokens.customer(id);
    const results = await Promise.all(Array.from({ length: 12 }, () => call(CREDIT_OF, { reps: [rep(id)] }, token)));
    for (const res of results)
      expect(res.data?._entities[0].creditStatus).toEqual({ score: 650, band: 'FAIR', history: [] });
    expect(await db.statuses(id)).toHaveLength(1);
  });

  it('computes the risk assessment from the required financial profile', async () => {
    const id = randomUUID();
    const res = await call(
      CREDIT_OF,
      { reps: [rep(id, { annualIncome: '60000.00', monthlyDebts: '1250.50' })] },
      await tokens.customer(id),
    );
    expect(res.data?._entities[0].riskAssessment).toEqual({ debtToIncome: '0.2501', rating: 'MEDIUM' });
  });

  it('shows a customer their own status only', async () => {
    const alice = randomUUID();
    const bob = randomUUID();
    const asAlice = await call(CREDIT_OF, { reps: [rep(bob)] }, await tokens.customer(alice));
    expect(errorCodes(asAlice)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(asAlice.data ?? null)).not.toContain('score');
    expect(errorCodes(await call(CREDIT_OF, { reps: [rep(bob)] }))).toEqual(['UNAUTHENTICATED']);
    expect(await db.statuses(bob)).toHaveLength(0);
  });

  it("refuses only the other customer's representation in a mixed batch", async () => {
    const alice = randomUUID();
    const bob = randomUUID();
    const res = await call(CREDIT_OF, { reps: [rep(alice), rep(bob)] }, await tokens.customer(alice));
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(res.data?._entities[0]).toMatchObject({ id: alice, creditStatus: { score: 650 } });
    expect(res.data?._entities[1]).toBeNull();
  });

  it('refuses every request without the gateway secret', async () => {
    const res = await postGraphQL(server.url, CREDIT_OF, { reps: [rep(randomUUID())] });
    expect(res.status).toBe(403);
  });
});
