import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { type Result, refused, succeeded } from '@commerce-supergraph/shared/graphql/payloads';
import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Order, OrderItem } from '../entities/index.js';
import { OrderSubjects, recordOrderEvent } from '../events/contracts/published.js';
import { admitOrder, DEFAULT_MAX_OPEN_ORDERS, type PlaceOrderLimits } from './open-order-cap.js';
import {
  checkProducts,
  idempotencyKeyOf,
  MAX_LINES,
  type OrderLineRequest,
  type PricedOrder,
  priceLines,
  validateIdempotencyKey,
  validateLines,
} from './order-input.js';
import type { PlacementGroups } from './placement-groups.js';

export interface PlaceOrderRequest {
  items: OrderLineRequest[];
  idempotencyKey?: string | null;
}

/**
 * Waits, for a bounded time and never failing, until the price projection holds every catalog
 * change announced so far: what a catalog mutation answered is then what the order is priced at.
 */
export type AwaitCatalog = () => Promise<unknown>;

export interface PlaceOrderOptions {
  /** The cap on a customer's open orders (TOO_MANY_OPEN_ORDERS past it). */
  limits?: PlaceOrderLimits;
  /** Awaited before pricing, so the catalog's latest answered changes count. */
  catalogRead?: AwaitCatalog;
  /** Told of the order and its lines as stored, so the answer needs no read of what was just written. */
  stored?: (order: Order, items: OrderItem[]) => void;
  /** Group commit with the placements waiting beside this one (placement-groups.ts); alone without it. */
  together?: PlacementGroups;
}

/**
 * Step 1 of the saga: validates and prices the order from the projection (once `catalogRead`, if
 * given, says it is up to date), then stores it PENDING together with `orders.order.created.v1`, in
 * one transaction (given `together`, shared with the placements waiting beside it). Every problem
 * is reported at once; nothing is stored then. A key the customer used before returns that first
 * order as it is now. A customer at `limits.maxOpenOrders` open orders is refused
 * (TOO_MANY_OPEN_ORDERS).
 */
export async function placeOrder(
  em: EntityManager,
  customerId: string,
  request: PlaceOrderRequest,
  cause: Cause,
  { limits = { maxOpenOrders: DEFAULT_MAX_OPEN_ORDERS }, catalogRead, stored, together }: PlaceOrderOptions = {},
): Promise<Result<Order>> {
  const keyErrors = validateIdempotencyKey(request.idempotencyKey, ['input', 'idempotencyKey']);
  if (keyErrors.length > 0) return refused(keyErrors);
  const key = idempotencyKeyOf(request.idempotencyKey);
  const earlier = key ? await findByKey(em, customerId, key) : null;
  if (earlier) return succeeded(earlier);

  const { items } = request;
  const errors = validateLines(items);
  // Past a wrong number of lines nothing is looked up; otherwise products are, even when a quantity
  // is wrong, so one answer names every problem.
  if (items.length < 1 || items.length > MAX_LINES) return refused(errors);
  await catalogRead?.();
  // A caller's open transaction is joined, as unitOfWork does: never a group's of its own beside it.
  const transaction = <T>(work: (tx: EntityManager) => Promise<T>) =>
    together && !em.isInTransaction() ? together.run(em, customerId, work) : unitOfWork(em, work);
  try {
    return await transaction(async (tx) => {
      // The open-order cap, race-free under the customer's lock, and the prices, in one round trip
      // (open-order-cap.ts). A refusal stores nothing: this placement has written nothing.
      const { answered, prices } = await admitOrder(
        tx,
        customerId,
        key,
        limits,
        items.map((item) => item.productId),
      );
      // A new list: the work may run twice (placement-groups.ts), each time from the same errors.
      const problems = [...errors, ...checkProducts(items, prices)];
      if (problems.length > 0) return refused(problems);
      if (answered) return answered;
      const { order, items: lines } = store(tx, customerId, key, priceLines(items, prices), cause);
      stored?.(order, lines);
      return succeeded(order);
    });
  } catch (error) {
    // A double submit raced past the look-up above; the unique index let one in: that one is the answer.
    if (key && error instanceof UniqueConstraintViolationException) {
      const winner = await findByKey(em.fork(), customerId, key);
      if (winner) return succeeded(winner);
    }
    throw error;
  }
}

function findByKey(em: EntityManager, customerId: string, idempotencyKey: string): Promise<Order | null> {
  return em.findOne(Order, { customerId, idempotencyKey });
}

function store(tx: EntityManager, customerId: string, key: string | undefined, priced: PricedOrder, cause: Cause) {
  const { lines, total, currency } = priced;
  const order = tx.create(Order, { customerId, totalAmount: total, currency, idempotencyKey: key ?? null });
  const items = lines.map((line) =>
    tx.create(OrderItem, {
      order,
      position: line.position,
      productId: line.productId,
      productName: line.productName,
      quantity: line.quantity,
      unitPriceAmount: line.unitPrice,
      lineTotalAmount: line.lineTotal,
      currency,
    }),
  );
  recordOrderEvent(tx, cause, OrderSubjects.created, {
    orderId: order.id,
    customerId,
    items: lines.map(({ productId, quantity, unitPrice }) => ({ productId, quantity, unitPrice })),
    total,
    currency,
  });
  return { order, items };
}
