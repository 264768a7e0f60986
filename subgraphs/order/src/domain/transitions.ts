import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { changeWithEvents } from '@commerce-supergraph/shared/events/change-events';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type CancellationReason, Order, OrderStatus } from '../entities/index.js';
import { type OrderConfirmed, OrderSubjects, recordOrderEvent, SOURCE } from '../events/contracts/published.js';

/**
 * The saga's status changes. Each is one conditional UPDATE whose WHERE names the statuses it may
 * start from, so the database decides between racers (an event handler, the customer, the expiry
 * sweep, a second instance): whoever comes second matches no row and changes nothing, and a
 * redelivered event finds the order moved on. Each change commits with its event (outbox), in its
 * own unit of work or in the one it joins (an event handler's, with the inbox row).
 */

/** The columns a transition sets besides status, version and updated_at, with their parameters. */
interface Extra {
  sql: string;
  params: unknown[];
}

/** Moves the order to `to` if it is in one of `from`; undefined when it was not (nothing changed). */
async function move(
  em: EntityManager,
  orderId: string,
  from: readonly OrderStatus[],
  to: OrderStatus,
  extra: Extra,
): Promise<Order | undefined> {
  const [order] = await moveAll(em, [orderId], from, to, extra);
  return order;
}

/**
 * `move` for several orders in one statement: those in one of `from` move, the others stay as they
 * are. Several rows are locked in id order first, so two such statements never wait on each other
 * in a circle (the expiry sweeps skip locked rows and wait on none).
 */
async function moveAll(
  em: EntityManager,
  orderIds: readonly string[],
  from: readonly OrderStatus[],
  to: OrderStatus,
  extra: Extra,
): Promise<Order[]> {
  const rows = await em.execute(...moveStatement(orderIds, from, to, extra));
  return rows.map((row) => em.map(Order, row));
}

/** The UPDATE of moveAll, returning the moved rows. */
function moveStatement(
  orderIds: readonly string[],
  from: readonly OrderStatus[],
  to: OrderStatus,
  extra: Extra,
): [string, unknown[]] {
  // MikroORM inlines an array parameter as a comma list: hence `array[?]`.
  const which =
    orderIds.length === 1
      ? ['id = ?', orderIds[0]]
      : ['id in (select id from orders where id = any(array[?]::uuid[]) order by id for update)', [...orderIds]];
  return [
    `update orders set status = ?, version = version + 1, updated_at = now()${extra.sql}
      where ${which[0]} and status = any(array[?]::order_status[]) returning *`,
    [to, ...extra.params, which[1], [...from]],
  ];
}

/**
 * PENDING -> CONFIRMED once the product subgraph reserved the stock; starts the payment time limit.
 * `confirmed` says, after the commit, whether it was PENDING (see confirmOrders).
 */
export async function confirmOrder(em: EntityManager, orderId: string, cause: Cause) {
  const { confirmed } = await confirmOrders(em, [{ orderId, cause }]);
  return { confirmed: confirmed.then((ids) => ids.length > 0) };
}

/**
 * confirmOrder for several orders (a group of reservation answers), in one statement: the orders
 * still PENDING are confirmed, each with its event caused by its own answer, its data read from the
 * row the update moved. The statement goes with the commit (change-events.ts): the confirmation is
 * one message to PostgreSQL with the inbox's claim. `confirmed` resolves after the commit with the
 * ids of the orders that were PENDING; inside an event handler's transaction, attach to it, never
 * await it.
 */
export function confirmOrders(em: EntityManager, answers: readonly { orderId: string; cause: Cause }[]) {
  const events = new Map<string, { subject: string; source: string; cause: Cause }>();
  for (const { orderId, cause } of answers)
    if (!events.has(orderId)) events.set(orderId, { subject: OrderSubjects.confirmed, source: SOURCE, cause });
  return unitOfWork(em, async (tx) => {
    const { stored } = await changeWithEvents(tx, {
      change: moveStatement([...events.keys()], [OrderStatus.PENDING], OrderStatus.CONFIRMED, {
        sql: ', confirmed_at = now()',
        params: [],
      }),
      key: 'id',
      events,
      // The contract's OrderConfirmed; numeric(18,2) as text is its two-place decimal string.
      data: `jsonb_build_object('orderId', changed.id, 'customerId', changed.customer_id,
               'total', changed.total_amount::text, 'currency', changed.currency)`,
    });
    return { confirmed: stored.then((envelopes) => envelopes.map((event) => (event.data as OrderConfirmed).orderId)) };
  });
}

/** PENDING -> REJECTED when the stock could not be reserved. */
export async function rejectOrder(em: EntityManager, orderId: string, reason: string, cause: Cause) {
  const [order] = await rejectOrders(em, [{ orderId, reason, cause }]);
  return order;
}

/**
 * rejectOrder for several orders (a group of refused reservations), in one statement, each with
 * its own reason and its event caused by its own answer; returns the orders that were PENDING.
 */
export function rejectOrders(em: EntityManager, answers: readonly { orderId: string; reason: string; cause: Cause }[]) {
  const first = new Map<string, { reason: string; cause: Cause }>();
  for (const { orderId, ...answer } of answers) if (!first.has(orderId)) first.set(orderId, answer);
  return unitOfWork(em, async (tx) => {
    const ids = [...first.keys()];
    // One reason per order, matched by id: `?` stays the one placeholder MikroORM knows, hence the CASE.
    const reasons = ids.map(() => 'when ?::uuid then ?').join(' ');
    const orders = await moveAll(tx, ids, [OrderStatus.PENDING], OrderStatus.REJECTED, {
      sql: `, rejection_reason = case id ${reasons} end`,
      params: ids.flatMap((id) => [id, first.get(id)?.reason]),
    });
    for (const { id: orderId, customerId } of orders) {
      const { reason, cause } = first.get(orderId) as { reason: string; cause: Cause };
      recordOrderEvent(tx, cause, OrderSubjects.rejected, { orderId, customerId, reason });
    }
    return orders;
  });
}

/**
 * PENDING or CONFIRMED -> CANCELLED; the event makes the product subgraph release the stock (or
 * never reserve it, when the cancel overtakes the reservation). A PAID order is never cancelled:
 * payOrder holds the row lock while it charges, and this statement waits for it and then sees PAID.
 */
export function cancelOrder(em: EntityManager, orderId: string, reason: CancellationReason, cause: Cause) {
  return unitOfWork(em, async (tx) => {
    const order = await move(tx, orderId, [OrderStatus.PENDING, OrderStatus.CONFIRMED], OrderStatus.CANCELLED, {
      sql: ', cancellation_reason = ?',
      params: [reason],
    });
    if (order) recordOrderEvent(tx, cause, OrderSubjects.cancelled, { orderId, customerId: order.customerId, reason });
    return order;
  });
}
