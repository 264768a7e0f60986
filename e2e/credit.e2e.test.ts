import { randomUUID } from 'node:crypto';
import {
  AdjustCreditScoreDocument,
  type AdjustCreditScoreInput,
  LoginDocument,
  MyActivityDocument,
  MyCreditDocument,
  RegisterCustomerDocument,
  SetFinancialProfileDocument,
} from '@commerce-supergraph/storefront/gql';
import { errorCodes } from '@commerce-supergraph/test-support/graphql-client';
import { openStandInPublisher, type StandInPublisher } from '@commerce-supergraph/test-support/jetstream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN, startSupergraph, type TestSupergraph } from './support/supergraph.js';
import { userErrors } from './support/user-errors.js';

/** Events come through JetStream consumers that attach once the order subgraph's streams exist. */
const WAIT = { timeout: 25_000, interval: 200 };

let graph: TestSupergraph;
let adminToken: string;
/** Stands in for the order subgraph, which owns ORDERS and PAYMENTS and is not part of this supergraph yet. */
let orderService: StandInPublisher;
const run = randomUUID().slice(0, 8);

beforeAll(async () => {
  graph = await startSupergraph();
  adminToken = (await graph.send(LoginDocument, { input: ADMIN })).data?.login.token as string;
  orderService = await openStandInPublisher(graph.natsUrl, 'order', [
    { name: 'ORDERS', subjects: ['orders.>'] },
    { name: 'PAYMENTS', subjects: ['payments.>'] },
  ]);
});
afterAll(async () => {
  await orderService?.close();
  await graph?.stop();
});

let customers = 0;
async function newCustomer() {
  customers += 1;
  const res = await graph.send(RegisterCustomerDocument, {
    input: { name: 'Credit Tester', email: `credit-${run}-${customers}@example.com`, password: 'good-standing' },
  });
  const payload = res.data?.registerCustomer;
  return { token: payload?.token as string, id: payload?.customer?.id as string };
}

async function myCredit(token: string) {
  const res = await graph.send(MyCreditDocument, {}, token);
  expect(res.errors).toBeUndefined();
  return res.data?.me as {
    id: string;
    creditStatus: { score: number; band: string; updatedAt: string; history: Record<string, unknown>[] };
    riskAssessment: { debtToIncome: string; rating: string } | null;
  };
}

const adjust = (input: AdjustCreditScoreInput, token: string) =>
  graph.send(AdjustCreditScoreDocument, { input }, token);

const payment = (customerId: string) => ({
  paymentId: randomUUID(),
  orderId: randomUUID(),
  customerId,
  amount: '42.50',
  currency: 'USD',
  providerReference: `ch_${run}`,
  reason: 'card_declined',
});

describe('MyCredit', () => {
  it('gives a new customer 650 FAIR with no history and no risk assessment yet', async () => {
    const { token, id } = await newCustomer();
    const me = await myCredit(token);
    expect(me).toMatchObject({ id, creditStatus: { score: 650, band: 'FAIR', history: [] }, riskAssessment: null });
    expect(Date.parse(me.creditStatus.updatedAt)).not.toBeNaN();
  });

  it('assesses risk from the financial profile with the exact debt-to-income ratio', async () => {
    const { token } = await newCustomer();
    const set = await graph.send(
      SetFinancialProfileDocument,
      { input: { annualIncome: '60000', monthlyDebts: '1250.50', totalAssets: '15000', employmentStatus: 'EMPLOYED' } },
      token,
    );
    expect(userErrors(set, 'setFinancialProfile')).toEqual([]);
    // 12 x 1250.50 / 60000 = 0.2501; FAIR band and a ratio under 0.43: MEDIUM.
    expect((await myCredit(token)).riskAssessment).toEqual({ debtToIncome: '0.2501', rating: 'MEDIUM' });
  });
});

describe('AdjustCreditScore', () => {
  it('lets an admin raise a score, clamped at 850 EXCEPTIONAL, with the applied delta in the history', async () => {
    const { token, id } = await newCustomer();
    await myCredit(token);
    const res = await adjust({ customerId: id, delta: 400, reason: 'Verified salary' }, adminToken);
    expect(userErrors(res, 'adjustCreditScore')).toEqual([]);
    expect(res.data?.adjustCreditScore.creditStatus).toMatchObject({ score: 850, band: 'EXCEPTIONAL' });
    const me = await myCredit(token);
    expect(me.creditStatus).toMatchObject({ score: 850, band: 'EXCEPTIONAL' });
    expect(me.creditStatus.history).toEqual([
      { score: 850, delta: 200, reason: 'Verified salary', changedAt: expect.any(String) },
    ]);
  });

  it("refuses a customer's own adjustment with FORBIDDEN and changes nothing", async () => {
    const { token, id } = await newCustomer();
    const res = await adjust({ customerId: id, delta: 100, reason: 'Trust me' }, token);
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(res.data).toBeNull();
    expect((await myCredit(token)).creditStatus.score).toBe(650);
  });

  it('reports NOT_FOUND, INVALID and BLANK as user errors', async () => {
    const unknown = await adjust({ customerId: randomUUID(), delta: 5, reason: 'Who?' }, adminToken);
    expect(userErrors(unknown, 'adjustCreditScore')).toEqual([['input.customerId', 'NOT_FOUND']]);
    expect(unknown.data?.adjustCreditScore.creditStatus).toBeNull();
    const invalid = await adjust({ customerId: randomUUID(), delta: 0, reason: '' }, adminToken);
    expect(userErrors(invalid, 'adjustCreditScore')).toEqual([
      ['input.delta', 'INVALID'],
      ['input.reason', 'BLANK'],
    ]);
  });
});

describe('events from the order subgraph', () => {
  it('scores a declined then a successful payment: 645 with both history entries', async () => {
    const { token, id } = await newCustomer();
    await orderService.publish('payments.payment.failed.v1', payment(id));
    await vi.waitFor(async () => expect((await myCredit(token)).creditStatus.score).toBe(640), WAIT);
    await orderService.publish('payments.payment.succeeded.v1', payment(id));
    await vi.waitFor(async () => expect((await myCredit(token)).creditStatus.score).toBe(645), WAIT);
    expect((await myCredit(token)).creditStatus).toMatchObject({
      band: 'FAIR',
      history: [
        { score: 640, delta: -10, reason: 'Payment declined' },
        { score: 645, delta: 5, reason: 'Payment succeeded' },
      ],
    });
  });

  it('shows order-confirmed and payment-receipt notifications in MyActivity, newest first', async () => {
    const { token, id } = await newCustomer();
    const activity = async () => {
      const res = await graph.send(MyActivityDocument, {}, token);
      expect(res.errors).toBeUndefined();
      return res.data?.me;
    };
    expect(await activity()).toMatchObject({
      id,
      financialProfile: null,
      history: [{ type: 'REGISTERED' }],
      notifications: [],
    });
    const orderId = randomUUID();
    await orderService.publish('orders.order.confirmed.v1', {
      orderId,
      customerId: id,
      total: '42.50',
      currency: 'USD',
    });
    await vi.waitFor(async () => expect((await activity())?.notifications).toHaveLength(1), WAIT);
    await orderService.publish('payments.payment.succeeded.v1', { ...payment(id), orderId });
    await vi.waitFor(async () => expect((await activity())?.notifications).toHaveLength(2), WAIT);
    const [receipt, confirmed] = (await activity())?.notifications ?? [];
    expect(receipt).toMatchObject({ subject: 'Payment receipt', id: expect.any(String) });
    expect(receipt?.body).toContain(`42.50 USD for order ${orderId}`);
    expect(confirmed).toMatchObject({ subject: 'Your order is confirmed' });
    expect(Date.parse(receipt?.createdAt as string)).toBeGreaterThanOrEqual(Date.parse(confirmed?.createdAt as string));
  });
});
