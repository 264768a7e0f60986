import { setTimeout as sleep } from 'node:timers/promises';
import { hashPassword, verifyPassword } from '@commerce-supergraph/shared/auth/password';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { dropDatabase } from '@commerce-supergraph/test-support/database';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { startNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomerSubgraph } from '../src/app.js';
import type { PasswordFunctions } from '../src/domain/password-hashing.js';
import { TEST_GATEWAY_SECRET, testCustomerConfig } from './helpers.js';

const REGISTER = `mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { token customer { id } userErrors { field code } } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { token userErrors { field code } } }`;

/** The real argon2id functions, counted, and (for the busy instance) hashing slowly. */
function countedFunctions(hashDelayMs = 0) {
  const calls = { hash: 0, verify: 0 };
  const functions: PasswordFunctions = {
    async hash(password) {
      calls.hash += 1;
      await sleep(hashDelayMs);
      return hashPassword(password);
    },
    verify(password, phc) {
      calls.verify += 1;
      return verifyPassword(password, phc);
    },
  };
  return { calls, functions };
}

// A NATS of this file's own: the CUSTOMERS stream must not land on the machine's server.
const nats = await startNatsServer();

/** Limits as configured by default, except 3 registrations per client. */
const guarded = countedFunctions();
const guardedConfig = testCustomerConfig({ NATS_URL: nats.url, REGISTRATION_MAX_PER_CLIENT: '3' });
const guardedSubgraph = createCustomerSubgraph(guardedConfig, { passwordFunctions: guarded.functions });

/** One hash at a time, one waiting for at most 300 ms, and hashes that take 1.5 s. */
const SLOW_HASH_MS = 1500;
const MAX_WAIT_MS = 300;
const busy = countedFunctions(SLOW_HASH_MS);
const busyConfig = testCustomerConfig({
  NATS_URL: nats.url,
  PASSWORD_HASHING_MAX_CONCURRENT: '1',
  PASSWORD_HASHING_MAX_QUEUED: '1',
  PASSWORD_HASHING_MAX_WAIT_MS: String(MAX_WAIT_MS),
});
const busySubgraph = createCustomerSubgraph(busyConfig, { passwordFunctions: busy.functions });

let guardedServer: RunningServer;
let busyServer: RunningServer;

/** Calls a subgraph as the gateway does, for the client at `clientAddress`. */
const call = (server: RunningServer, query: string, input: Record<string, unknown>, clientAddress: string) =>
  postGraphQL(
    server.url,
    query,
    { input },
    { gatewaySecret: TEST_GATEWAY_SECRET, headers: { 'x-client-address': clientAddress } },
  );

const codesOf = (payload: { userErrors: { code: string }[] }) => payload.userErrors.map((error) => error.code);
function tally(codes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

beforeAll(async () => {
  [guardedServer, busyServer] = await Promise.all([guardedSubgraph.start(), busySubgraph.start()]);
});
afterAll(async () => {
  await Promise.all([guardedSubgraph.stop(), busySubgraph.stop()]);
  await Promise.all([dropDatabase(guardedConfig.dbName), dropDatabase(busyConfig.dbName)]);
  await nats.dispose();
});

describe('login throttle under concurrency', () => {
  it('checks at most 5 passwords of 200 simultaneous wrong logins for one email, from 200 addresses', async () => {
    const input = { name: 'Victim', email: 'victim@example.com', password: 'the-right-password' };
    const registered = await call(guardedServer, REGISTER, input, '198.51.100.1');
    expect(registered.data?.registerCustomer.userErrors).toEqual([]);
    guarded.calls.verify = 0;

    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        call(guardedServer, LOGIN, { email: 'victim@example.com', password: `guess-${i}` }, `203.0.113.${i}`),
      ),
    );

    expect(guarded.calls.verify).toBe(5);
    const payloads = responses.map((response) => response.data?.login);
    expect(payloads.every((payload) => payload.token === null)).toBe(true);
    expect(tally(payloads.flatMap(codesOf))).toEqual({ INVALID_CREDENTIALS: 5, TOO_MANY_ATTEMPTS: 195 });

    const right = await call(guardedServer, LOGIN, { email: input.email, password: input.password }, '203.0.113.250');
    expect(codesOf(right.data?.login)).toEqual(['TOO_MANY_ATTEMPTS']);
    expect(guarded.calls.verify).toBe(5);
  });
});

describe('registration throttle', () => {
  it('lets one client register 3 accounts of 8 sent at once, hashing 3 passwords, while another client registers', async () => {
    guarded.calls.hash = 0;
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call(
          guardedServer,
          REGISTER,
          { name: 'Bulk', email: `bulk${i}@example.com`, password: 'password123' },
          '198.51.100.2',
        ),
      ),
    );
    const payloads = responses.map((response) => response.data?.registerCustomer);
    expect(payloads.filter((payload) => payload.customer)).toHaveLength(3);
    expect(tally(payloads.flatMap(codesOf))).toEqual({ TOO_MANY_ATTEMPTS: 5 });
    expect(payloads.find((payload) => payload.userErrors.length > 0).userErrors).toEqual([
      { field: ['input'], code: 'TOO_MANY_ATTEMPTS' },
    ]);
    expect(guarded.calls.hash).toBe(3);

    const other = await call(
      guardedServer,
      REGISTER,
      { name: 'Other', email: 'other@example.com', password: 'password123' },
      '198.51.100.3',
    );
    expect(other.data?.registerCustomer.userErrors).toEqual([]);
  });
});

describe('password hashing bound (1 in flight, 1 waiting up to 300 ms)', () => {
  it('refuses registrations beyond it with TOO_MANY_REQUESTS well before a hash would finish', async () => {
    busy.calls.hash = 0;
    const timed = Array.from({ length: 10 }, async (_, i) => {
      const started = performance.now();
      const response = await call(
        busyServer,
        REGISTER,
        { name: 'Rush', email: `rush${i}@example.com`, password: 'password123' },
        `198.51.100.${10 + i}`,
      );
      return { payload: response.data?.registerCustomer, ms: performance.now() - started };
    });
    const results = await Promise.all(timed);

    const refused = results.filter((result) => result.payload.customer === null);
    expect(results.length - refused.length).toBe(1);
    expect(tally(refused.flatMap((result) => codesOf(result.payload)))).toEqual({ TOO_MANY_REQUESTS: 9 });
    expect(busy.calls.hash).toBe(1);
    // 8 are refused at once (the queue is full), one after its 300 ms wait: all long before the 1.5 s hash.
    for (const { ms } of refused) expect(ms).toBeLessThan(SLOW_HASH_MS);
    const accepted = results.find((result) => result.payload.customer !== null);
    expect(accepted?.ms).toBeGreaterThanOrEqual(SLOW_HASH_MS);
  });

  it('refuses a login that finds no slot with TOO_MANY_REQUESTS, without counting it as a failure', async () => {
    const slow = call(
      busyServer,
      REGISTER,
      { name: 'Slow', email: 'slow@example.com', password: 'password123' },
      '198.51.100.40',
    );
    await sleep(100);
    const logins = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        call(busyServer, LOGIN, { email: 'rush-known@example.com', password: `guess-${i}` }, '198.51.100.41'),
      ),
    );
    expect(logins.flatMap((response) => codesOf(response.data?.login))).toEqual(Array(3).fill('TOO_MANY_REQUESTS'));
    expect((await slow).data?.registerCustomer.userErrors).toEqual([]);
    const counted = await querySql(busyConfig.dbName, `select key from throttle_attempts where key like ?`, [
      '%rush-known%',
    ]);
    expect(counted).toEqual([]);
  });
});
