import {
  CustomerByIdDocument,
  type FinancialProfileInput,
  LoginDocument,
  MeDocument,
  RegisterCustomerDocument,
  type RegisterCustomerInput,
  SetFinancialProfileDocument,
  UpdateCustomerDocument,
} from '@commerce-supergraph/storefront/gql';
import { errorCodes } from '@commerce-supergraph/test-support/graphql-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startSupergraph, type TestSupergraph } from './support/supergraph.js';
import { userErrors } from './support/user-errors.js';

let graph: TestSupergraph;
let adminToken: string;

beforeAll(async () => {
  graph = await startSupergraph();
  adminToken = (await login(ADMIN.email, ADMIN.password)).data?.login.token as string;
});
afterAll(() => graph?.stop());

const register = (input: RegisterCustomerInput) => graph.send(RegisterCustomerDocument, { input });
const login = (email: string, password: string) => graph.send(LoginDocument, { input: { email, password } });

async function newCustomer(email: string) {
  const res = await register({ name: 'Grace Hopper', email, password: 'correct-horse' });
  const payload = res.data?.registerCustomer;
  return { token: payload?.token as string, id: payload?.customer?.id as string };
}

describe('RegisterCustomer', () => {
  it('creates the account, lower-cases the email and returns a working token', async () => {
    const res = await register({
      name: 'Ada Lovelace',
      email: 'Ada.Lovelace@Example.COM',
      password: 'analytical-engine',
      phone: '+4915112345678',
      address: '12 St James Square, London',
      dateOfBirth: '1815-12-10',
      nationalId: 'AB123456C',
    });
    const payload = res.data?.registerCustomer;
    expect(payload?.userErrors).toEqual([]);
    expect(payload?.customer).toMatchObject({
      name: 'Ada Lovelace',
      email: 'ada.lovelace@example.com',
      phone: '+4915112345678',
    });
    const me = await graph.send(MeDocument, {}, payload?.token as string);
    expect(me.data?.me).toMatchObject({ id: payload?.customer?.id, dateOfBirth: '1815-12-10' });
    expect(JSON.stringify(me)).not.toContain('AB123456C');
  });

  it('reports BLANK, INVALID and TOO_SHORT with field paths, and stores nothing', async () => {
    const res = await register({
      name: ' ',
      email: 'nope',
      password: 'short',
      phone: '12345',
      dateOfBirth: '2999-01-01',
    });
    expect(res.data?.registerCustomer.customer).toBeNull();
    expect(res.data?.registerCustomer.token).toBeNull();
    expect(userErrors(res, 'registerCustomer')).toEqual([
      ['input.name', 'BLANK'],
      ['input.phone', 'INVALID'],
      ['input.dateOfBirth', 'INVALID'],
      ['input.email', 'INVALID'],
      ['input.password', 'TOO_SHORT'],
    ]);
    expect(
      await graph.send(CustomerByIdDocument, { id: '00000000-0000-0000-0000-000000000000' }, adminToken),
    ).toMatchObject({ data: { customer: null } });
  });

  it('refuses an email that is already registered, whatever its case', async () => {
    await newCustomer('taken@example.com');
    const res = await register({ name: 'Second', email: 'TAKEN@example.com', password: 'password-two' });
    expect(userErrors(res, 'registerCustomer')).toEqual([['input.email', 'TAKEN']]);
    expect((await login('taken@example.com', 'password-two')).data?.login.token).toBeNull();
  });
});

describe('Login', () => {
  it('returns a token for the right password', async () => {
    const { id } = await newCustomer('login@example.com');
    const res = await login('LOGIN@example.com', 'correct-horse');
    expect(res.data?.login.customer).toEqual({ id, email: 'login@example.com' });
    expect((await graph.send(MeDocument, {}, res.data?.login.token as string)).data?.me?.id).toBe(id);
  });

  it('answers a wrong password and an unknown email identically', async () => {
    await newCustomer('enumeration@example.com');
    const wrong = await login('enumeration@example.com', 'wrong-password');
    const unknown = await login('nobody-here@example.com', 'wrong-password');
    expect(wrong.data?.login).toEqual(unknown.data?.login);
    expect(userErrors(wrong, 'login')).toEqual([['input', 'INVALID_CREDENTIALS']]);
  });

  it('refuses even the right password after too many failures', async () => {
    await newCustomer('throttled@example.com');
    for (let i = 0; i < 5; i += 1) await login('throttled@example.com', `guess-${i}`);
    const res = await login('throttled@example.com', 'correct-horse');
    expect(res.data?.login.token).toBeNull();
    expect(userErrors(res, 'login')).toEqual([['input', 'TOO_MANY_ATTEMPTS']]);
  });
});

describe('Me and authentication', () => {
  it('needs a token: none is UNAUTHENTICATED, a bad one is HTTP 401', async () => {
    expect(errorCodes(await graph.send(MeDocument))).toEqual(['UNAUTHENTICATED']);
    const bad = await graph.send(MeDocument, {}, 'not.a.jwt');
    expect(bad.status).toBe(401);
    expect(errorCodes(bad)).toEqual(['UNAUTHENTICATED']);
  });

  it("without a token, `me` is null with the customer subgraph's own error at its path, and no subgraph address", async () => {
    // The customer subgraph answers this with HTTP 401: the gateway hands it on as a GraphQL answer.
    const res = await graph.send(MeDocument);
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ me: null });
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]).toMatchObject({
      message: 'Authentication required',
      path: ['me'],
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const text = JSON.stringify(res);
    for (const url of Object.values(graph.subgraphUrls)) expect(text).not.toContain(new URL(url).host);
    expect(text).not.toMatch(/401: Unauthorized/);
  });
});

describe('UpdateCustomer', () => {
  it('changes only the given fields of your own profile', async () => {
    const { id, token } = await newCustomer('update@example.com');
    const res = await graph.send(
      UpdateCustomerDocument,
      { id, input: { name: 'Grace B. Hopper', phone: '+12025550123' } },
      token,
    );
    expect(res.data?.updateCustomer).toMatchObject({
      userErrors: [],
      customer: { id, name: 'Grace B. Hopper', phone: '+12025550123', address: null },
    });
  });

  it('reports validation errors and changes nothing', async () => {
    const { id, token } = await newCustomer('update-invalid@example.com');
    const res = await graph.send(UpdateCustomerDocument, { id, input: { name: '', phone: 'call me' } }, token);
    expect(res.data?.updateCustomer.customer).toBeNull();
    expect(userErrors(res, 'updateCustomer')).toEqual([
      ['input.name', 'BLANK'],
      ['input.phone', 'INVALID'],
    ]);
    expect((await graph.send(MeDocument, {}, token)).data?.me?.name).toBe('Grace Hopper');
  });

  it("is FORBIDDEN on another customer's id, while an admin may, and NOT_FOUND for no one", async () => {
    const alice = await newCustomer('alice@example.com');
    const bob = await newCustomer('bob@example.com');
    const res = await graph.send(UpdateCustomerDocument, { id: bob.id, input: { name: 'Mallory' } }, alice.token);
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(res.data).toBeNull();
    const byAdmin = await graph.send(UpdateCustomerDocument, { id: bob.id, input: { name: 'Robert' } }, adminToken);
    expect(byAdmin.data?.updateCustomer.customer?.name).toBe('Robert');
    const missing = await graph.send(
      UpdateCustomerDocument,
      { id: '00000000-0000-0000-0000-000000000000', input: { name: 'X' } },
      adminToken,
    );
    expect(userErrors(missing, 'updateCustomer')).toEqual([['id', 'NOT_FOUND']]);
    const malformed = await graph.send(UpdateCustomerDocument, { id: 'nope', input: { name: 'X' } }, adminToken);
    expect(userErrors(malformed, 'updateCustomer')).toEqual([['id', 'NOT_FOUND']]);
  });
});

describe('SetFinancialProfile and MyActivity', () => {
  const profile: FinancialProfileInput = {
    annualIncome: '60000',
    monthlyDebts: '1250.5',
    totalAssets: '15000.00',
    employmentStatus: 'EMPLOYED',
  };

  it('stores exact decimals and records the history in order', async () => {
    const { id, token } = await newCustomer('finance@example.com');
    await graph.send(UpdateCustomerDocument, { id, input: { address: 'Somewhere 1' } }, token);
    const res = await graph.send(SetFinancialProfileDocument, { input: profile }, token);
    expect(res.data?.setFinancialProfile).toMatchObject({
      userErrors: [],
      financialProfile: {
        annualIncome: '60000.00',
        monthlyDebts: '1250.50',
        totalAssets: '15000.00',
        employmentStatus: 'EMPLOYED',
      },
    });
    // MyActivity without `notifications`, which arrives with the credit-status subgraph.
    const activity = await graph.send(
      `query MyActivity { me { id financialProfile { annualIncome monthlyDebts totalAssets employmentStatus } history { type occurredAt } } }`,
      {},
      token,
    );
    expect(activity.errors).toBeUndefined();
    expect(activity.data?.me.financialProfile.monthlyDebts).toBe('1250.50');
    expect(activity.data?.me.history.map((h: { type: string }) => h.type)).toEqual([
      'REGISTERED',
      'UPDATED',
      'FINANCIAL_PROFILE_SET',
    ]);
  });

  it('reports INVALID amounts, and needs a token', async () => {
    const { token } = await newCustomer('finance-invalid@example.com');
    const res = await graph.send(
      SetFinancialProfileDocument,
      { input: { ...profile, annualIncome: '0', monthlyDebts: '-5' } },
      token,
    );
    expect(res.data?.setFinancialProfile.financialProfile).toBeNull();
    expect(userErrors(res, 'setFinancialProfile')).toEqual([
      ['input.annualIncome', 'INVALID'],
      ['input.monthlyDebts', 'INVALID'],
    ]);
    expect(errorCodes(await graph.send(SetFinancialProfileDocument, { input: profile }))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('CustomerById', () => {
  it('is for admins; a customer gets FORBIDDEN and no data', async () => {
    const carol = await newCustomer('carol@example.com');
    const dave = await newCustomer('dave@example.com');
    const byAdmin = await graph.send(CustomerByIdDocument, { id: carol.id }, adminToken);
    expect(byAdmin.data?.customer).toEqual({ id: carol.id, name: 'Grace Hopper', email: 'carol@example.com' });
    const malformed = await graph.send(CustomerByIdDocument, { id: 'not-a-uuid' }, adminToken);
    expect(malformed).toMatchObject({ data: { customer: null } });
    expect(malformed.errors).toBeUndefined();
    const byDave = await graph.send(CustomerByIdDocument, { id: carol.id }, dave.token);
    expect(errorCodes(byDave)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(byDave)).not.toContain('carol@example.com');
  });
});
