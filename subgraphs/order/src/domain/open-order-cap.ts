import { inOneTrip } from '@commerce-supergraph/shared/db/one-trip';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { type Result, refused, succeeded } from '@commerce-supergraph/shared/graphql/payloads';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Order, OrderStatus } from '../entities/index.js';
import type { CatalogPrice } from './order-input.js';
import { pricesById, pricesJson } from './price-projection.js';

/** ORDER_MAX_OPEN_ORDERS by default: open orders (PENDING or CONFIRMED, so unpaid) one customer may have. */
export const DEFAULT_MAX_OPEN_ORDERS = 10;

export interface PlaceOrderLimits {
  maxOpenOrders: number;
}

/** The first number of the per-customer advisory lock: no other lock of the order database uses it. */
const LOCK_NAMESPACE = 0x6f70_656e;
export const OPEN = [OrderStatus.PENDING, OrderStatus.CONFIRMED];

/**
 * A customer's open orders, counted on the partial index of open orders (orders_customer_id_open_index):
 * a long history of paid, cancelled or rejected orders is not read, and an index-only scan reads a
 * row's heap page only while vacuum has not yet marked it all-visible (recent orders). Before it, the
 * count read every order of the customer from the heap to look at its status (0.95 ms a placement in
 * PostgreSQL once each of bench:orders' shoppers had 2000 orders).
 */
export const OPEN_ORDERS_COUNT =
  'select count(*)::int from orders where customer_id = ? and status = any(array[?]::order_status[])';

/**
 * Takes the customer's advisory lock for the rest of the transaction: placements, and the erasure
 * of a deleted customer (domain/erasure.ts), of one customer pass one at a time.
 */
export async function lockCustomer(tx: EntityManager, customerId: string): Promise<void> {
  await tx.execute(...customerLock(customerId));
}

const customerLock = (customerId: string) =>
  ['select pg_advisory_xact_lock(?, hashtext(?::text))', [LOCK_NAMESPACE, customerId]] as const;

/** What admitOrder read after the lock: its answer, if the order is not to be stored, and the prices. */
export interface Admission {
  answered?: Result<Order>;
  prices: Map<string, CatalogPrice>;
}

/**
 * The step of placeOrder's unit of work before the order is stored, so that one customer cannot hold
 * the stock hostage with unpaid orders. It takes the customer's advisory lock for the rest of the
 * transaction: two placements of one customer pass here one at a time, and each counts the other's
 * committed order, so two at the cap never both get through. Then it answers, in this order:
 * - the customer's account deleted (its erasure took this lock first): NOT_FOUND, nothing is stored;
 * - an idempotency key the customer used meanwhile (a double submit that waited here): that order;
 * - the cap reached: TOO_MANY_OPEN_ORDERS, and nothing is stored;
 * - otherwise no answer: go on and store the order.
 * The prices of `productIds` come in the same round trip (pricesJson), read after the lock.
 */
export async function admitOrder(
  tx: EntityManager,
  customerId: string,
  idempotencyKey: string | undefined,
  limits: PlaceOrderLimits,
  productIds: readonly string[],
): Promise<Admission> {
  // The facts after the lock, in one round trip: a statement of their own, so their snapshot sees
  // what the lock's last holder committed.
  const [prices, pricesParams] = pricesJson(productIds);
  const [facts] = await inOneTrip<{ deleted: boolean; earlier: boolean; open: number; prices: CatalogPrice[] }>(tx, [
    customerLock(customerId),
    [
      `select exists(select 1 from deleted_customers where customer_id = ?) as deleted,
              exists(select 1 from orders where customer_id = ? and idempotency_key = ?) as earlier,
              (${OPEN_ORDERS_COUNT}) as open,
              ${prices} as prices`,
      [customerId, customerId, idempotencyKey ?? null, customerId, OPEN, ...(pricesParams ?? [])],
    ],
  ]);
  return {
    answered: await answer(tx, customerId, idempotencyKey, limits, facts),
    prices: pricesById(facts?.prices ?? []),
  };
}

async function answer(
  tx: EntityManager,
  customerId: string,
  idempotencyKey: string | undefined,
  limits: PlaceOrderLimits,
  facts: { deleted: boolean; earlier: boolean; open: number } | undefined,
): Promise<Result<Order> | undefined> {
  if (facts?.deleted) {
    return refused([userError(['input'], 'NOT_FOUND', 'This customer account has been deleted')]);
  }
  if (idempotencyKey && facts?.earlier) {
    const earlier = await tx.findOne(Order, { customerId, idempotencyKey });
    if (earlier) return succeeded(earlier);
  }
  const open = facts?.open ?? 0;
  if (open < limits.maxOpenOrders) return undefined;
  const message = `You have ${open} open orders, the most allowed; pay or cancel one before placing another`;
  return refused([userError(['input'], 'TOO_MANY_OPEN_ORDERS', message)]);
}
