import { randomUUID } from 'node:crypto';
import type { Notifier, OutgoingNotification } from '@commerce-supergraph/customer/ports/notifier';
import {
  ChangePasswordDocument,
  CustomerByIdDocument,
  CustomerDirectoryDocument,
  type CustomerDirectoryQueryVariables,
  LoginDocument,
  MeDocument,
  MyOrdersDocument,
  RegisterCustomerDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  SignOutEverywhereDocument,
} from '@commerce-supergraph/storefront/gql';
import { errorCodes, postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken } from './support/orders.js';
import { E2E_GATEWAY_SECRET, startSupergraph, type TestSupergraph } from './support/supergraph.js';
import { userErrors } from './support/user-errors.js';

/** Keeps what the customer subgraph sends, as a mail transport would deliver it. */
class RecordingNotifier implements Notifier {
  readonly sent: OutgoingNotification[] = [];
  async send(notification: OutgoingNotification): Promise<void> {
    this.sent.push(notification);
  }
  codeFor(email: string): string | undefined {
    const message = this.sent.filter((n) => n.to === email && n.subject === 'Reset your password').at(-1);
    return message?.body.match(/: (\S+)\n/)?.[1];
  }
}

const notifier = new RecordingNotifier();
let graph: TestSupergraph;
let admin: string;
const run = randomUUID().slice(0, 8);

beforeAll(async () => {
  graph = await startSupergraph({ customerNotifier: notifier });
  admin = await adminToken(graph);
});
afterAll(() => graph?.stop());

const login = (email: string, password: string) => graph.send(LoginDocument, { input: { email, password } });
const tokenOf = async (email: string, password: string) => (await login(email, password)).data?.login.token as string;

async function register(name: string, email: string, password = 'first-password') {
  const res = await graph.send(RegisterCustomerDocument, { input: { name, email, password } });
  const payload = res.data?.registerCustomer;
  return { id: payload?.customer?.id as string, token: payload?.token as string, email };
}

/** A query that the gateway plans onto the order subgraph (the customer's orders). */
const myOrders = (token: string) => graph.send(MyOrdersDocument, { first: 1 }, token);

/** Each subgraph, called directly as the gateway would: does it refuse this token by itself? */
async function refusedBySubgraphs(token: string): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  for (const [name, url] of Object.entries(graph.subgraphUrls)) {
    const res = await postGraphQL(url, '{ _service { sdl } }', {}, { token, gatewaySecret: E2E_GATEWAY_SECRET });
    statuses[name] = res.status;
  }
  return statuses;
}

/** Polls until `check` holds, and returns how long that took (ms) from `since`. */
async function elapsedUntil(since: number, check: () => Promise<boolean>, limitMs = 5_000): Promise<number> {
  while (performance.now() - since < limitMs) {
    if (await check()) return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`not within ${limitMs} ms`);
}

describe('the customer directory', () => {
  it('pages newest first with a stable cursor, searches name and email, filters by registration time', async () => {
    const before = new Date();
    const people = [];
    for (const name of ['Zelda Quartz', 'Ygritte Quartz', 'Xavier Quartz', 'Walter Other']) {
      people.push(await register(name, `${name.split(' ')[0]?.toLowerCase()}-${run}@dir.example.com`));
    }
    const page = (variables: CustomerDirectoryQueryVariables) =>
      graph.send(CustomerDirectoryDocument, variables, admin);

    const first = (await page({ first: 2, filter: { search: `QUARTZ` } })).data?.customers;
    expect(first?.totalCount).toBe(3);
    expect(first?.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual([
      'Xavier Quartz',
      'Ygritte Quartz',
    ]);
    expect(first?.pageInfo.hasNextPage).toBe(true);
    const second = (await page({ first: 2, after: first?.pageInfo.endCursor, filter: { search: 'quartz' } })).data
      ?.customers;
    expect(second?.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['Zelda Quartz']);
    expect(second?.pageInfo.hasNextPage).toBe(false);

    const byEmail = (await page({ filter: { search: `walter-${run}@DIR` } })).data?.customers;
    expect(byEmail?.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([people[3]?.id]);
    // LIKE wildcards in a search are literal characters.
    expect((await page({ filter: { search: '%' } })).data?.customers.totalCount).toBe(0);

    const recent = (await page({ first: 100, filter: { registeredAfter: before.toISOString() } })).data?.customers;
    expect(recent?.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(people.map((p) => p.id).reverse());
    const older = (await page({ first: 100, filter: { registeredBefore: before.toISOString() } })).data?.customers;
    expect(older!.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(people[0]?.id);
  });

  it('is FORBIDDEN to customers, UNAUTHENTICATED without a token; customer(id) also serves the customer themself', async () => {
    const someone = await register('Dir Guard', `guard-${run}@dir.example.com`);
    const asCustomer = await graph.send(CustomerDirectoryDocument, { first: 5 }, someone.token);
    expect(errorCodes(asCustomer)).toEqual(['FORBIDDEN']);
    expect(asCustomer.data).toBeNull();
    expect(errorCodes(await graph.send(CustomerDirectoryDocument, { first: 5 }))).toEqual(['UNAUTHENTICATED']);
    const self = await graph.send(CustomerByIdDocument, { id: someone.id }, someone.token);
    expect(self.data?.customer).toMatchObject({ id: someone.id, name: 'Dir Guard' });
  });
});

describe('changing the password', () => {
  it('refuses a wrong current password and a short new one, as registration does', async () => {
    const carl = await register('Carl Change', `carl-${run}@example.com`);
    const change = (currentPassword: string, newPassword: string) =>
      graph.send(ChangePasswordDocument, { currentPassword, newPassword }, carl.token);
    expect(userErrors(await change('wrong-password', 'long-enough-1'), 'changePassword')).toEqual([
      ['currentPassword', 'INVALID_CREDENTIALS'],
    ]);
    expect(userErrors(await change('first-password', 'short'), 'changePassword')).toEqual([
      ['newPassword', 'TOO_SHORT'],
    ]);
    expect(await tokenOf(carl.email, 'first-password')).toEqual(expect.any(String));
  });

  it('stops the old password, and revokes every other token within 1 s at the gateway and on every subgraph', async () => {
    const dana = await register('Dana Sessions', `dana-${run}@example.com`);
    const other = await tokenOf(dana.email, 'first-password');
    expect(errorCodes(await myOrders(other))).toEqual([]);

    const res = await graph.send(
      ChangePasswordDocument,
      { currentPassword: 'first-password', newPassword: 'second-password' },
      dana.token,
    );
    const changedAt = performance.now();
    expect(userErrors(res, 'changePassword')).toEqual([]);
    const fresh = res.data?.changePassword.token as string;

    const atGateway = await elapsedUntil(changedAt, async () => (await myOrders(other)).status === 401);
    const atSubgraphs = await elapsedUntil(changedAt, async () =>
      Object.values(await refusedBySubgraphs(other)).every((status) => status === 401),
    );
    console.info(`revocation observed: gateway ${atGateway.toFixed(0)} ms, all subgraphs ${atSubgraphs.toFixed(0)} ms`);
    expect(atGateway).toBeLessThan(1_000);
    expect(atSubgraphs).toBeLessThan(1_000);
    expect(errorCodes(await myOrders(dana.token))).toEqual(['UNAUTHENTICATED']);

    // The token handed back works everywhere; the old password no longer does, the new one does.
    expect(errorCodes(await myOrders(fresh))).toEqual([]);
    expect(Object.values(await refusedBySubgraphs(fresh)).every((status) => status === 200)).toBe(true);
    expect(userErrors(await login(dana.email, 'first-password'), 'login')).toEqual([['input', 'INVALID_CREDENTIALS']]);
    expect(await tokenOf(dana.email, 'second-password')).toEqual(expect.any(String));
  });

  it('signOutEverywhere revokes every token, the caller included; a new login works', async () => {
    const erin = await register('Erin Out', `erin-${run}@example.com`);
    const second = await tokenOf(erin.email, 'first-password');
    const res = await graph.send(SignOutEverywhereDocument, {}, erin.token);
    expect(res.data?.signOutEverywhere).toMatchObject({ userErrors: [], revokedBefore: expect.any(String) });
    const since = performance.now();
    await elapsedUntil(since, async () => (await myOrders(second)).status === 401, 1_000);
    expect((await myOrders(erin.token)).status).toBe(401);
    expect(errorCodes(await myOrders(await tokenOf(erin.email, 'first-password')))).toEqual([]);
  });

  it('a restarted service still refuses a token revoked before it started', async () => {
    const fay = await register('Fay Restart', `fay-${run}@example.com`);
    await graph.send(SignOutEverywhereDocument, {}, fay.token);
    await graph.restartProduct();
    await expect.poll(async () => (await refusedBySubgraphs(fay.token)).product).toBe(401);
    const another = await graph.startGateway();
    expect((await postGraphQL(another, MeDocument, {}, { token: fay.token })).status).toBe(401);
  });
});

describe('resetting a forgotten password', () => {
  it('answers the same for an unknown email, and sends nothing then', async () => {
    const unknown = await graph.send(RequestPasswordResetDocument, { email: `nobody-${run}@example.com` });
    const gina = await register('Gina Reset', `gina-${run}@example.com`);
    const known = await graph.send(RequestPasswordResetDocument, { email: gina.email.toUpperCase() });
    expect(unknown.data).toEqual(known.data);
    expect(notifier.sent.filter((n) => n.to === `nobody-${run}@example.com`)).toEqual([]);
    expect(notifier.codeFor(gina.email)).toEqual(expect.any(String));
  });

  it('sets the new password once per code, revokes the old tokens, and refuses an expired code', async () => {
    const hal = await register('Hal Reset', `hal-${run}@example.com`);
    await graph.send(RequestPasswordResetDocument, { email: hal.email });
    const code = notifier.codeFor(hal.email) as string;
    const reset = (token: string, newPassword: string) => graph.send(ResetPasswordDocument, { token, newPassword });

    expect(userErrors(await reset(code, 'short'), 'resetPassword')).toEqual([['newPassword', 'TOO_SHORT']]);
    const done = await reset(code, 'reset-password-1');
    expect(userErrors(done, 'resetPassword')).toEqual([]);
    expect(errorCodes(await myOrders(done.data?.resetPassword.token as string))).toEqual([]);
    expect(userErrors(await reset(code, 'reset-password-2'), 'resetPassword')).toEqual([['token', 'INVALID']]);
    expect(await tokenOf(hal.email, 'reset-password-1')).toEqual(expect.any(String));
    await expect.poll(async () => (await myOrders(hal.token)).status, { timeout: 1_000 }).toBe(401);

    await graph.send(RequestPasswordResetDocument, { email: hal.email });
    const late = notifier.codeFor(hal.email) as string;
    await querySql(
      graph.databases.customer as string,
      `update password_resets set expires_at = now() - interval '1 second' where used_at is null`,
    );
    expect(userErrors(await reset(late, 'reset-password-3'), 'resetPassword')).toEqual([['token', 'INVALID']]);
    expect(userErrors(await reset('made-up-code', 'reset-password-3'), 'resetPassword')).toEqual([
      ['token', 'INVALID'],
    ]);
  });
});
