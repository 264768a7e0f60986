import { withNext } from '@commerce-supergraph/shared/db/held-statements';
import { inOneTrip } from '@commerce-supergraph/shared/db/one-trip';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { eventsStoredBy } from '@commerce-supergraph/shared/events/change-events';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Reservation, ReservationRejection } from '../entities/index.js';
import { ProductSubjects, recordProductEvent } from '../events/contracts/published.js';
import {
  mergeLines,
  orderLock,
  orderLockKey,
  outcomesAndStock,
  type ReservationLine,
  type ReserveOutcome,
} from './inventory.js';
import { outcomeOf, reservationStatement } from './reservation-in-sql.js';

export interface GroupOrder {
  orderId: string;
  lines: ReservationLine[];
  cause: Cause;
}

/**
 * Holds stock for every line of an order, or for none, in one message to PostgreSQL with the
 * commit (and the inbox's claim): the order's lock, then one statement that decides and writes
 * (reservation-in-sql.ts) what the steps below do for a group. `outcome` resolves after the commit;
 * inside an event handler's transaction, attach to it, never await it.
 */
export function reserve(em: EntityManager, orderId: string, lines: ReservationLine[], cause: Cause) {
  return unitOfWork(em, async (tx) => {
    const wanted = mergeLines(lines);
    const [lockSql, lockParams] = orderLock(orderId);
    await tx.execute(withNext(lockSql), lockParams as unknown[], 'run');
    const { stored } = await eventsStoredBy(tx, reservationStatement(orderId, wanted, cause));
    return { outcome: stored.then(outcomeOf) };
  });
}

/**
 * `reserve` for a group of orders in one transaction (the inbox's group handler), each getting the
 * outcome it would get reserved alone, one after the other in the group's order: one read of their
 * earlier outcomes and their products' stock (the rows locked in id order, one order for every
 * caller, so no deadlock), the decisions here, then one conditional update that cannot take stock
 * below zero (the table's CHECK constraint is the last word), sent with the commit with each answer
 * (reserved, or rejected with the short lines) recorded for the order subgraph. A second answer for
 * an order announces its first outcome again and changes nothing; an order released already gets
 * none. The caller holds the orders' locks and their products' rows already (lockOrders, the
 * group's lockFirst), so nothing changes under it.
 */
export const reserveGroup = (em: EntityManager, orders: readonly GroupOrder[]): Promise<ReserveOutcome[]> =>
  unitOfWork(em, (tx) => reserveInTurn(tx, orders));

/** Earlier outcomes and stock in one read, each order's outcome in turn, one UPDATE for every unit held. */
async function reserveInTurn(tx: EntityManager, orders: readonly GroupOrder[]): Promise<ReserveOutcome[]> {
  const wanted = orders.map(({ lines }) => mergeLines(lines));
  const { outcomes: earlier, stock } = await outcomesAndStock(
    tx,
    orders.map(({ orderId }) => orderId),
    wanted.flat(),
  );
  const held = new Map<string, number>();
  const outcomes = orders.map(({ orderId, cause }, i): ReserveOutcome => {
    const lines = wanted[i] as ReservationLine[];
    const outcome = earlier.get(orderId) ?? hold(tx, orderId, lines, stock, held);
    // A second answer for one order in the group finds the first's outcome, as it would alone.
    earlier.set(orderId, outcome);
    if (outcome.ok) recordProductEvent(tx, cause, ProductSubjects.reserved, { orderId, lines });
    else if ('shortLines' in outcome) {
      recordProductEvent(tx, cause, ProductSubjects.rejected, { orderId, shortLines: outcome.shortLines });
    }
    return outcome;
  });
  if (held.size > 0)
    await takeStock(
      tx,
      [...held].map(([productId, quantity]) => ({ productId, quantity })),
    );
  return outcomes;
}

/**
 * Reserves `lines` (one per product): one UPDATE, sent with the commit (`withNext`). The caller
 * has locked the rows and seen the units there, so every line fits; if one ever did not, the
 * table's CHECK (reserved <= on_hand) would fail the commit and the whole transaction with it.
 */
export async function takeStock(tx: EntityManager, lines: readonly ReservationLine[]): Promise<void> {
  await tx.execute(
    withNext(`update products p set reserved = p.reserved + line.quantity
       from unnest(array[?]::uuid[], array[?]::int[]) as line(id, quantity)
      where p.id = line.id`),
    [lines.map((line) => line.productId), lines.map((line) => line.quantity)],
    'run',
  );
}

/** Holds every line from what is left in `stock`, or none; a short order is recorded as rejected. */
function hold(
  tx: EntityManager,
  orderId: string,
  lines: ReservationLine[],
  stock: Map<string, number>,
  held: Map<string, number>,
): ReserveOutcome {
  const shortLines = lines
    .map(({ productId, quantity }) => ({ productId, requested: quantity, available: stock.get(productId) ?? 0 }))
    .filter((line) => line.available < line.requested);
  if (shortLines.length > 0) {
    tx.create(ReservationRejection, { orderId, shortLines });
    return { ok: false, shortLines };
  }
  for (const { productId, quantity } of lines) {
    stock.set(productId, (stock.get(productId) as number) - quantity);
    held.set(productId, (held.get(productId) ?? 0) + quantity);
    tx.create(Reservation, { orderId, product: productId, quantity });
  }
  return { ok: true };
}

/**
 * Every lock that reserve, release and commitSale take for these orders, in the order each of them
 * takes its own: the orders' locks (by key), then the products (by id): the items' products for a
 * reservation, the reserved ones otherwise. For several orders handled in one transaction (an inbox
 * group), whose calls would otherwise take their locks order by order and could deadlock with a
 * transaction taking the same ones order by order in another sequence.
 */
export async function lockOrders(em: EntityManager, orders: { orderId: string; items?: ReservationLine[] }[]) {
  if (orders.length === 0) return;
  const orderIds = orders.map(({ orderId }) => orderId).filter(isUuid);
  const lineProducts = orders.flatMap(({ items = [] }) => items.map(({ productId }) => productId)).filter(isUuid);
  await inOneTrip(em, [
    // Sorted in a subquery, which PostgreSQL evaluates before the locking function above it.
    [
      `select pg_advisory_xact_lock(k) from (
         select distinct hashtextextended(key, 0) as k from unnest(array[?]::text[]) as key order by k) as keys`,
      [orders.map(({ orderId }) => orderLockKey(orderId))],
    ],
    [
      `select id from products
        where id in (select product_id from reservations where order_id = any(array[?]::uuid[]) and status = 'RESERVED')
           ${lineProducts.length > 0 ? 'or id = any(array[?]::uuid[])' : ''}
        order by id for update`,
      lineProducts.length > 0 ? [orderIds, lineProducts] : [orderIds],
    ],
  ]);
}
