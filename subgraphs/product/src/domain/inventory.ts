import { inOneTrip, type Statement } from '@commerce-supergraph/shared/db/one-trip';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ReservationStatus, ReservationTombstone } from '../entities/index.js';
import type { ShortLine } from '../events/contracts/published.js';

/**
 * Stock held for orders: what the order saga calls from its event handlers (reserve.ts holds it,
 * this file gives it back or sells it). Each function runs in a unit of work of its own, or joins
 * the caller's (the inbox's), so a handler commits its inbox row, the stock change and its outbox
 * event together. Every function is idempotent per order.
 */
export interface ReservationLine {
  productId: string;
  quantity: number;
}

/** `released`: the order was released before it was reserved (see ReservationTombstone); nothing is held. */
export type ReserveOutcome = { ok: true } | { ok: false; shortLines: ShortLine[] } | { ok: false; released: true };

// MikroORM inlines parameters, an array as a comma list: hence `array[?]` where a SQL array is meant.

/**
 * Gives an order's reserved units back (order cancelled, expired or rejected). Returns the lines
 * released. An order with no reservation and no rejection yet gets a tombstone instead, under the
 * same per-order lock as reserve, so a reserve arriving after its cancel or rejection holds nothing.
 * An order whose reservation was refused here keeps that outcome and gets no tombstone.
 */
export function release(em: EntityManager, orderId: string): Promise<number> {
  return unitOfWork(em, async (tx) => {
    const released = await settle(tx, orderId, ReservationStatus.RELEASED, 'reserved = p.reserved - r.quantity');
    // settle took the order's lock, held until the commit: no reserve can slip in between.
    if (released === 0 && !(await previousOutcome(tx, orderId))) tx.create(ReservationTombstone, { orderId });
    return released;
  });
}

/** Turns an order's reservation into a sale: the units leave the shelf. Returns the lines sold. */
export const commitSale = (em: EntityManager, orderId: string): Promise<number> =>
  settle(em, orderId, ReservationStatus.SOLD, 'on_hand = p.on_hand - r.quantity, reserved = p.reserved - r.quantity');

/** One line per product: an order naming a product twice holds the sum. */
export function mergeLines(lines: ReservationLine[]): ReservationLine[] {
  if (lines.length === 0) throw new RangeError('a reservation needs at least one line');
  const totals = new Map<string, number>();
  for (const { productId, quantity } of lines) {
    if (!Number.isInteger(quantity) || quantity < 1) throw new RangeError(`quantity must be >= 1, got ${quantity}`);
    const id = productId.toLowerCase();
    totals.set(id, (totals.get(id) ?? 0) + quantity);
  }
  return [...totals].map(([productId, quantity]) => ({ productId, quantity }));
}

/**
 * Only RESERVED lines move, so a repeat (or a release after a sale) finds nothing and changes nothing.
 * Products are locked in id order first, the order reserve uses, so the two never deadlock.
 */
async function settle(em: EntityManager, orderId: string, to: ReservationStatus, stockChange: string) {
  return unitOfWork(em, async (tx) => {
    await inOneTrip(tx, [
      orderLock(orderId),
      [
        `select p.id from products p join reservations r on r.product_id = p.id
          where r.order_id = ? and r.status = 'RESERVED' order by p.id for update of p`,
        [orderId],
      ],
    ]);
    const { affectedRows } = await tx.execute<{ affectedRows: number }>(
      `with r as (update reservations set status = ?, updated_at = now()
                   where order_id = ? and status = 'RESERVED' returning product_id, quantity)
       update products p set ${stockChange} from r where p.id = r.product_id`,
      [to, orderId],
      'run',
    );
    return affectedRows;
  });
}

/**
 * Two handlings of one order (two instances, a redelivery) take turns instead of interleaving: each
 * starts with this lock, sent in one message with its first read (inOneTrip, or held to go with the
 * commit: the statements after it still see what the lock's last holder committed).
 */
export const orderLock = (orderId: string): Statement => [
  'select pg_advisory_xact_lock(hashtextextended(?, 0))',
  [orderLockKey(orderId)],
];

export const orderLockKey = (orderId: string) => `inventory:${orderId}`;

/** What an earlier handling of the order left (release asks, under the lock settle took). */
async function previousOutcome(em: EntityManager, orderId: string): Promise<ReserveOutcome | undefined> {
  return outcomesByOrder(await inOneTrip<OutcomeRow>(em, [outcomesRead([orderId])])).get(orderId);
}

/**
 * What earlier handlings of these orders left, and the units available of `lines`' products, their
 * rows locked in id order (no wait when the caller holds them): one read, what a group's
 * reservation needs to decide (reserve.ts; one order alone decides in SQL, reservation-in-sql.ts).
 */
export async function outcomesAndStock(
  em: EntityManager,
  orderIds: readonly string[],
  lines: readonly ReservationLine[],
) {
  const productIds = [...new Set(lines.map(({ productId }) => productId).filter(isUuid))];
  const rows = await inOneTrip<OutcomeRow & { stock: Record<string, number> }>(em, [
    outcomesRead(orderIds, productIds),
  ]);
  return { outcomes: outcomesByOrder(rows), stock: new Map(Object.entries(rows[0]?.stock ?? {})) };
}

interface OutcomeRow {
  order_id: string;
  released: boolean;
  short_lines: ShortLine[] | null;
  reserved: boolean;
}

/**
 * One row per order; with `productIds`, each row also carries their stock as a JSON object, read
 * once (an uncorrelated subquery: PostgreSQL's InitPlan) with the rows locked in id order.
 */
function outcomesRead(orderIds: readonly string[], productIds?: readonly string[]): Statement {
  const stock = productIds
    ? `, (select coalesce(json_object_agg(s.id, s.available), '{}') from (
           select id, on_hand - reserved as available from products
            where id = any(array[?]::uuid[]) order by id for update) as s) as stock`
    : '';
  return [
    `select o.id as order_id,
            exists(select 1 from reservation_tombstones t where t.order_id = o.id) as released,
            (select short_lines from reservation_rejections r where r.order_id = o.id) as short_lines,
            exists(select 1 from reservations r where r.order_id = o.id) as reserved${stock}
       from unnest(array[?]::uuid[]) as o(id)`,
    [...(productIds ? [productIds] : []), [...new Set(orderIds)]],
  ];
}

/** A tombstone first (released before reserved), then a rejection, then a reservation; none: no outcome yet. */
function outcomesByOrder(rows: OutcomeRow[]): Map<string, ReserveOutcome> {
  const outcomes = new Map<string, ReserveOutcome>();
  for (const row of rows) {
    if (row.released) outcomes.set(row.order_id, { ok: false, released: true });
    else if (row.short_lines) outcomes.set(row.order_id, { ok: false, shortLines: row.short_lines });
    else if (row.reserved) outcomes.set(row.order_id, { ok: true });
  }
  return outcomes;
}
