import { randomUUID } from 'node:crypto';
import {
  CancelOrderDocument,
  CreateProductDocument,
  LoginDocument,
  OrderDocument,
  PayOrderDocument,
  PlaceOrderDocument,
  ProductDocument,
  RegisterCustomerDocument,
} from '@commerce-supergraph/storefront/gql';
import type { GraphQLResponse } from '@commerce-supergraph/test-support/graphql-client';
import { vi } from 'vitest';
import { ADMIN, type TestSupergraph } from './supergraph.js';

/** Long enough for a consumer that attached late (its stream came up after it) and for a busy machine. */
export const SAGA_WAIT = { timeout: 25_000, interval: 100 };

export interface Shopper {
  id: string;
  token: string;
}

export type Line = { productId: string; quantity: number };

let shoppers = 0;
export async function registerShopper(graph: TestSupergraph, label = 'shopper'): Promise<Shopper> {
  shoppers += 1;
  const res = await graph.send(RegisterCustomerDocument, {
    input: {
      name: `Order ${label}`,
      email: `${label}-${shoppers}-${randomUUID().slice(0, 8)}@example.com`,
      password: 'pay-me-later',
    },
  });
  const payload = res.data?.registerCustomer;
  return { id: payload?.customer?.id as string, token: payload?.token as string };
}

export async function adminToken(graph: TestSupergraph): Promise<string> {
  return (await graph.send(LoginDocument, { input: ADMIN })).data?.login.token as string;
}

/** Creates a product as the admin and waits until the order subgraph's price projection knows it. */
export async function createProduct(
  graph: TestSupergraph,
  admin: string,
  shopper: Shopper,
  input: { name?: string; price?: string; initialStock?: number } = {},
): Promise<{ id: string; name: string }> {
  const name = input.name ?? `Item ${randomUUID().slice(0, 8)}`;
  const res = await graph.send(
    CreateProductDocument,
    { input: { sku: `E2E-${randomUUID().slice(0, 12)}`, price: '10.00', initialStock: 10, ...input, name } },
    admin,
  );
  const product = res.data?.createProduct.product as { id: string; name: string };
  await waitUntilPriced(graph, shopper, product.id, true);
  return product;
}

/**
 * Waits until the order subgraph prices a product (or no longer does). It asks with quantity 0,
 * which is always INVALID, so nothing is ever stored; UNKNOWN_PRODUCT shows whether it is known.
 */
export async function waitUntilPriced(graph: TestSupergraph, shopper: Shopper, productId: string, orderable: boolean) {
  await vi.waitFor(async () => {
    const res = await graph.send(PlaceOrderDocument, { input: { items: [{ productId, quantity: 0 }] } }, shopper.token);
    const codes = ((res.data?.placeOrder.userErrors ?? []) as { code: string }[]).map((e) => e.code);
    if (codes.includes('UNKNOWN_PRODUCT') === orderable) throw new Error(`product ${productId} not yet ${orderable}`);
  }, SAGA_WAIT);
}

export function placeOrder(graph: TestSupergraph, shopper: Shopper, items: Line[], idempotencyKey?: string) {
  return graph.send(PlaceOrderDocument, { input: { items, idempotencyKey } }, shopper.token);
}

/** Places an order that must be accepted, and returns it. */
export async function placed(graph: TestSupergraph, shopper: Shopper, items: Line[]) {
  const res = await placeOrder(graph, shopper, items);
  const payload = res.data?.placeOrder;
  if (!payload?.order) throw new Error(`order refused: ${JSON.stringify(res.errors ?? payload?.userErrors)}`);
  return payload.order as { id: string; status: string };
}

export type OrderView = {
  id: string;
  status: string;
  rejectionReason: string | null;
  total: { amount: string; currencyCode: string };
  customer: { id: string; name: string };
  items: { quantity: number; product: { id: string; name: string; available: number } }[];
  payment: { id: string; status: string; amount: { amount: string }; failureReason: string | null } | null;
};

export async function orderOf(graph: TestSupergraph, shopper: Shopper, id: string): Promise<OrderView> {
  const res = await graph.send(OrderDocument, { id }, shopper.token);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data?.order as OrderView;
}

/** Waits for the saga to move the order to one of `statuses`. */
export async function settled(
  graph: TestSupergraph,
  shopper: Shopper,
  id: string,
  statuses = ['CONFIRMED', 'REJECTED'],
) {
  let order: OrderView | undefined;
  await vi.waitFor(async () => {
    order = await orderOf(graph, shopper, id);
    if (!statuses.includes(order.status)) throw new Error(`order ${id} is ${order.status}`);
  }, SAGA_WAIT);
  return order as OrderView;
}

export async function confirmedOrder(graph: TestSupergraph, shopper: Shopper, items: Line[]) {
  const order = await placed(graph, shopper, items);
  return settled(graph, shopper, order.id, ['CONFIRMED']);
}

export async function available(graph: TestSupergraph, productId: string): Promise<number> {
  return (await graph.send(ProductDocument, { id: productId })).data?.product?.available as number;
}

export const payOrder = (
  graph: TestSupergraph,
  shopper: Shopper,
  orderId: string,
  paymentToken: string,
  idempotencyKey?: string,
) => graph.send(PayOrderDocument, { input: { orderId, paymentToken, idempotencyKey } }, shopper.token);

export const cancelOrder = (graph: TestSupergraph, shopper: Shopper, id: string) =>
  graph.send(CancelOrderDocument, { id }, shopper.token);

export const codesOf = (res: GraphQLResponse, payload: string): string[] =>
  ((res.data?.[payload]?.userErrors ?? []) as { code: string }[]).map((e) => e.code);
