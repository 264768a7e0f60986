import { randomUUID } from 'node:crypto';
import {
  DeleteCustomerDocument,
  DeleteMyAccountDocument,
  LoginDocument,
  MeDocument,
  MyActivityDocument,
  RegisterCustomerDocument,
  SetFinancialProfileDocument,
} from '@commerce-supergraph/storefront/gql';
import { errorCodes } from '@commerce-supergraph/test-support/graphql-client';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  adminToken,
  available,
  confirmedOrder,
  createProduct,
  payOrder,
  placeOrder,
  SAGA_WAIT,
  type Shopper,
} from './support/orders.js';
import { ADMIN, startSupergraph, type TestSupergraph } from './support/supergraph.js';
import { userErrors } from './support/user-errors.js';

let graph: TestSupergraph;
let admin: string;
const run = randomUUID().slice(0, 8);

beforeAll(async () => {
  graph = await startSupergraph();
  admin = await adminToken(graph);
});
afterAll(() => graph?.stop());

/** Everything personal a customer gives us: none of it may be found anywhere after the deletion. */
function personalData(label: string) {
  return {
    name: `Erika Erasure ${label}-${run}`,
    email: `erika-${label}-${run}@erasure.example.com`,
    password: 'erase-me-please',
    phone: `+49151${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
    address: `${label} Vergessenstrasse ${run}, Berlin`,
    dateOfBirth: '1961-02-03',
    nationalId: `NID-${label}-${run}`,
  };
}

async function register(input: ReturnType<typeof personalData>): Promise<Shopper> {
  const res = await graph.send(RegisterCustomerDocument, { input });
  const payload = res.data?.registerCustomer;
  return { id: payload?.customer?.id as string, token: payload?.token as string };
}

const orderStatus = async (id: string) =>
  (await graph.send('query ($id: ID!) { order(id: $id) { id status total { amount } } }', { id }, admin)).data?.order;

/** Every table of every subgraph's database, as text: what an erasure must leave nothing personal in. */
async function everyRowAsText(): Promise<{ table: string; text: string }[]> {
  const rows: { table: string; text: string }[] = [];
  for (const [subgraph, dbName] of Object.entries(graph.databases)) {
    const tables = await querySql<{ name: string }>(
      dbName,
      `select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    for (const { name } of tables) {
      const found = await querySql<{ text: string }>(dbName, `select row_to_json(t)::text as text from "${name}" t`);
      rows.push(...found.map(({ text }) => ({ table: `${subgraph}.${name}`, text: text.toLowerCase() })));
    }
  }
  return rows;
}

describe('deleting an account', () => {
  it('erases the customer everywhere, cancels open orders, keeps paid ones without personal data', async () => {
    const person = personalData('main');
    const shopper = await register(person);
    await graph.send(
      SetFinancialProfileDocument,
      { input: { annualIncome: '50000', monthlyDebts: '100', totalAssets: '1000', employmentStatus: 'EMPLOYED' } },
      shopper.token,
    );
    const product = await createProduct(graph, admin, shopper, { initialStock: 10 });
    const paid = await confirmedOrder(graph, shopper, [{ productId: product.id, quantity: 1 }]);
    expect(userErrors(await payOrder(graph, shopper, paid.id, 'tok_visa'), 'payOrder')).toEqual([]);
    const open = await confirmedOrder(graph, shopper, [{ productId: product.id, quantity: 2 }]);
    expect(await available(graph, product.id)).toBe(7);
    // The saga's notifications and the credit history exist before the deletion.
    await vi.waitFor(async () => {
      const activity = (await graph.send(MyActivityDocument, {}, shopper.token)).data?.me;
      expect(activity?.notifications.length).toBeGreaterThanOrEqual(3);
      const credit = await querySql(
        graph.databases['credit-status'] as string,
        'select 1 from credit_score_changes c where c.customer_id = ?',
        [shopper.id],
      );
      expect(credit.length).toBeGreaterThan(0);
    }, SAGA_WAIT);

    const wrong = await graph.send(DeleteMyAccountDocument, { password: 'not-my-password' }, shopper.token);
    expect(userErrors(wrong, 'deleteMyAccount')).toEqual([['password', 'INVALID_CREDENTIALS']]);
    const res = await graph.send(DeleteMyAccountDocument, { password: person.password }, shopper.token);
    expect(res.data?.deleteMyAccount).toEqual({ deletedCustomerId: shopper.id, userErrors: [] });

    // Logged out at once, and for good.
    await expect
      .poll(async () => (await graph.send(MeDocument, {}, shopper.token)).status, { timeout: 1_000 })
      .toBe(401);
    expect(
      userErrors(
        await graph.send(LoginDocument, { input: { email: person.email, password: person.password } }),
        'login',
      ),
    ).toEqual([['input', 'INVALID_CREDENTIALS']]);
    // The open order is cancelled and its stock is back; the paid one is kept with its amount.
    await vi.waitFor(async () => expect(await available(graph, product.id)).toBe(9), SAGA_WAIT);
    expect(await orderStatus(open.id)).toMatchObject({ status: 'CANCELLED' });
    expect(await orderStatus(paid.id)).toMatchObject({ status: 'PAID', total: { amount: '10.00' } });
    await vi.waitFor(async () => {
      const credit = graph.databases['credit-status'] as string;
      expect(await querySql(credit, 'select 1 from credit_statuses where customer_id = ?', [shopper.id])).toEqual([]);
      expect(await querySql(credit, 'select 1 from credit_score_changes where customer_id = ?', [shopper.id])).toEqual(
        [],
      );
    }, SAGA_WAIT);
    const customerDb = graph.databases.customer as string;
    expect(await querySql(customerDb, 'select 1 from notifications where customer_id = ?', [shopper.id])).toEqual([]);
    expect(await querySql(customerDb, 'select 1 from financial_profiles where customer_id = ?', [shopper.id])).toEqual(
      [],
    );
    const history = await querySql<{ type: string }>(
      customerDb,
      'select type from customer_events where customer_id = ? order by occurred_at',
      [shopper.id],
    );
    expect(history.map((row) => row.type)).toEqual(['REGISTERED', 'DELETED']);
    const kept = await querySql<{ total_amount: string }>(
      graph.databases.order as string,
      'select total_amount from orders where customer_id = ? order by created_at',
      [shopper.id],
    );
    expect(kept.map((row) => row.total_amount)).toEqual(['10.00', '20.00']);

    // Deleting again is harmless, and an unknown id is NOT_FOUND.
    const again = await graph.send(DeleteCustomerDocument, { id: shopper.id }, admin);
    expect(again.data?.deleteCustomer).toEqual({ deletedCustomerId: shopper.id, userErrors: [] });
    const unknown = await graph.send(DeleteCustomerDocument, { id: randomUUID() }, admin);
    expect(userErrors(unknown, 'deleteCustomer')).toEqual([['id', 'NOT_FOUND']]);
    expect(await available(graph, product.id)).toBe(9);

    // No table of any subgraph holds anything the customer told us about themself.
    const values = [person.name, person.email, person.phone, person.address, person.dateOfBirth, person.nationalId];
    const leaks = (await everyRowAsText()).filter(({ text }) =>
      values.some((value) => text.includes(value.toLowerCase())),
    );
    expect(leaks).toEqual([]);
  });

  it('is for admins only when it is someone else, and never deletes an admin', async () => {
    const person = personalData('guard');
    const shopper = await register(person);
    const other = await register(personalData('other'));
    const res = await graph.send(DeleteCustomerDocument, { id: shopper.id }, other.token);
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    // The admin account itself is not deleted this way (the admin role would be gone with it).
    const own = await graph.send(DeleteMyAccountDocument, { password: ADMIN.password }, admin);
    expect(userErrors(own, 'deleteMyAccount')).toEqual([[undefined, 'INVALID_STATE']]);
    expect(
      userErrors(
        await graph.send(LoginDocument, { input: { email: person.email, password: person.password } }),
        'login',
      ),
    ).toEqual([]);
  });

  it('racing orders being placed, leaves no order reserved for the deleted customer', async () => {
    const shopper = await register(personalData('race'));
    const product = await createProduct(graph, admin, shopper, { initialStock: 50 });
    const placements = Array.from({ length: 10 }, (_, i) =>
      new Promise((resolve) => setTimeout(resolve, i * 40)).then(() =>
        placeOrder(graph, shopper, [{ productId: product.id, quantity: 1 }]),
      ),
    );
    const deletion = new Promise((resolve) => setTimeout(resolve, 120)).then(() =>
      graph.send(DeleteCustomerDocument, { id: shopper.id }, admin),
    );
    const [deleted, ...answers] = await Promise.all([deletion, ...placements]);
    expect(userErrors(deleted as Awaited<typeof deletion>, 'deleteCustomer')).toEqual([]);
    const accepted = answers.filter(
      (answer) => (answer as { data?: { placeOrder?: { order?: unknown } } }).data?.placeOrder?.order,
    );
    console.info(`race: ${accepted.length} of ${answers.length} placements accepted before the deletion won`);

    await vi.waitFor(async () => {
      const open = await querySql(
        graph.databases.order as string,
        `select id, status from orders where customer_id = ? and status in ('PENDING', 'CONFIRMED')`,
        [shopper.id],
      );
      expect(open).toEqual([]);
      expect(await available(graph, product.id)).toBe(50);
    }, SAGA_WAIT);
    // A placement after the erasure is refused even if it got past the token check.
    const late = await placeOrder(graph, shopper, [{ productId: product.id, quantity: 1 }]);
    expect(late.status).toBe(401);
  });
});
