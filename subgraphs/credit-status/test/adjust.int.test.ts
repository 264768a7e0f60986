import { randomUUID } from 'node:crypto';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { dropDatabase } from '@commerce-supergraph/test-support/database';
import { errorCodes } from '@commerce-supergraph/test-support/graphql-client';
import { streamEvents } from '@commerce-supergraph/test-support/jetstream';
import { startNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCreditStatusSubgraph } from '../src/app.js';
import { CREDIT_STREAM, CreditSubjects } from '../src/events/contracts/published.js';
import { ADJUST, CREDIT_OF, callSubgraph, inspect, testCreditConfig, testTokens } from './helpers.js';

// A NATS of its own: the CREDIT stream must not land on the machine's server.
const nats = await startNatsServer();
const config = testCreditConfig({ NATS_URL: nats.url });
// Enough connections that racing adjustments really run at once instead of queueing for the pool.
const subgraph = createCreditStatusSubgraph(config, { orm: { pool: { min: 0, max: 25 } } });
const tokens = testTokens(config);
let server: RunningServer;
let db: Awaited<ReturnType<typeof inspect>>;
let admin: string;
const call = callSubgraph(() => server.url);

/** Reading a customer's credit creates the status, as the frontend's first look would. */
const firstRead = (id: string) => call(CREDIT_OF, { reps: [{ __typename: 'Customer', id }] }, admin);

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

describe('adjustCreditScore', () => {
  const adjust = (input: Record<string, unknown>, token: string) => call(ADJUST, { input }, token);

  it('is for admins only', async () => {
    const id = randomUUID();
    await firstRead(id);
    const res = await adjust({ customerId: id, delta: 100, reason: 'Self-service' }, await tokens.customer(id));
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(res.data).toBeNull();
    expect((await db.statuses(id))[0]?.score).toBe(650);
  });

  it('reports INVALID, BLANK and NOT_FOUND as user errors', async () => {
    const codes = async (input: Record<string, unknown>) =>
      (await adjust(input, admin)).data?.adjustCreditScore.userErrors.map((e: { field: string[]; code: string }) => [
        e.field.join('.'),
        e.code,
      ]);
    expect(await codes({ customerId: randomUUID(), delta: 0, reason: ' ' })).toEqual([
      ['input.delta', 'INVALID'],
      ['input.reason', 'BLANK'],
    ]);
    expect(await codes({ customerId: randomUUID(), delta: 5, reason: 'Unknown' })).toEqual([
      ['input.customerId', 'NOT_FOUND'],
    ]);
    expect(await codes({ customerId: 'not-a-uuid', delta: 5, reason: 'Unknown' })).toEqual([
      ['input.customerId', 'NOT_FOUND'],
    ]);
  });

  it('clamps at 850, records the applied delta and publishes the change', async () => {
    const id = randomUUID();
    await firstRead(id);
    const res = await adjust({ customerId: id, delta: 500, reason: ' Manual review ' }, admin);
    expect(res.data?.adjustCreditScore).toMatchObject({
      creditStatus: { score: 850, band: 'EXCEPTIONAL' },
      userErrors: [],
    });
    expect(await db.history(id)).toEqual([{ score: 850, delta: 200, reason: 'Manual review' }]);
    // At the bound already: nothing moves, so nothing is recorded or published.
    expect(
      (await adjust({ customerId: id, delta: 5, reason: 'More' }, admin)).data?.adjustCreditScore.creditStatus.score,
    ).toBe(850);
    expect(await db.history(id)).toHaveLength(1);
    await vi.waitFor(
      async () => {
        const events = (await streamEvents(nats.url, CREDIT_STREAM.name)).filter(
          (e) => (e.data as { customerId: string }).customerId === id,
        );
        expect(events.map((e) => [e.type, e.data])).toEqual([
          [
            CreditSubjects.scoreChanged,
            { customerId: id, score: 850, delta: 200, band: 'EXCEPTIONAL', reason: 'Manual review' },
          ],
        ]);
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  it('loses no update when many adjustments of one customer race', async () => {
    const id = randomUUID();
    await firstRead(id);
    const deltas = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 7 : -3));
    const results = await Promise.all(
      deltas.map((delta) => adjust({ customerId: id, delta, reason: `race ${delta}` }, admin)),
    );
    for (const res of results) expect(res.data?.adjustCreditScore.userErrors).toEqual([]);
    expect((await db.statuses(id))[0]?.score).toBe(650 + 10 * 7 - 10 * 3);
    const history = await db.history(id);
    expect(history).toHaveLength(20);
    // Each entry's score is the previous one plus its delta: the changes ran one after the other.
    history.reduce((previous, entry) => {
      expect(entry.score).toBe(previous + entry.delta);
      return entry.score;
    }, 650);
  });
});
