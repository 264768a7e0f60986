import type { Statement } from '@commerce-supergraph/shared/db/one-trip';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { createEnvelope, type EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import {
  ProductSubjects,
  type ReservationRejected,
  type ReservationReserved,
  SOURCE,
} from '../events/contracts/published.js';
import type { ReservationLine, ReserveOutcome } from './inventory.js';

/**
 * One order's reservation as one statement, decided in SQL, so it needs no answer before its commit
 * and goes with it (eventsStoredBy, held-results.ts): the reservation's whole transaction is one
 * message to PostgreSQL, where reading the stock and then writing took two. It decides exactly as
 * reserveInTurn (reserve.ts) does for a group, in the same order:
 *
 * 1. an earlier outcome of the order wins: released first (a tombstone: no event), then a refusal
 *    (its short lines announced again), then a reservation (announced again with these lines);
 * 2. otherwise every line must fit in what is available (on hand less reserved; a product that
 *    does not exist has none): then the stock is taken and a reservation row stored per line, and
 *    `reserved` recorded; else the short lines are stored and announced, in the lines' order.
 *
 * The products' rows are locked in id order, after the order's lock, as every other caller locks
 * them: sorted, then locked as they are read (`short` reads every one); MATERIALIZED keeps the CTE
 * from being inlined into its readers and run more than once. A row locked after a wait is read
 * as its last holder committed it (READ COMMITTED's locking read), and the update that takes the
 * stock applies to that version; the table's CHECK (reserved <= on_hand) stays the last word.
 * Every other read sees the statement's snapshot, taken after the order's lock.
 *
 * The statement's rows are the events it stored: none when the order was released first.
 */
export function reservationStatement(orderId: string, lines: readonly ReservationLine[], cause: Cause): Statement {
  const reserved = createEnvelope<ReservationReserved>({
    subject: ProductSubjects.reserved,
    source: SOURCE,
    data: { orderId, lines: lines.map(({ productId, quantity }) => ({ productId, quantity })) },
    ...cause,
  });
  // Its data, the short lines, is made by the statement.
  const rejected = createEnvelope({ subject: ProductSubjects.rejected, source: SOURCE, data: null, ...cause });
  const uuids = lines.map(({ productId }) => productId).filter(isUuid);
  return [
    `with lines as (
       select l.product_id, l.quantity, l.position
         from unnest(array[?]::text[], array[?]::int[]) with ordinality as l(product_id, quantity, position)),
     stock as materialized (
       select id, on_hand - reserved as available from products
        where id = any(array[?]::uuid[]) order by id for update),
     earlier as (
       select exists(select 1 from reservation_tombstones where order_id = ?) as released,
              (select short_lines from reservation_rejections where order_id = ?) as short_lines,
              exists(select 1 from reservations where order_id = ?) as reserved),
     short as (
       select jsonb_agg(jsonb_build_object('productId', l.product_id, 'requested', l.quantity,
                                           'available', coalesce(s.available, 0)) order by l.position) as lines
         from lines l left join stock s on s.id::text = l.product_id
        where coalesce(s.available, 0) < l.quantity),
     decision as (
       select case when e.released then 'released'
                   when e.short_lines is not null then 'refused'
                   when e.reserved then 'reserved'
                   when sh.lines is not null then 'refusing'
                   else 'reserving' end as outcome,
              coalesce(e.short_lines, sh.lines) as short_lines
         from earlier e, short sh),
     taken as (
       update products p set reserved = p.reserved + l.quantity
         from lines l join stock s on s.id::text = l.product_id, decision d
        where p.id = s.id and d.outcome = 'reserving'),
     held as (
       insert into reservations (id, order_id, product_id, quantity, status, created_at, updated_at)
       select gen_random_uuid(), ?, s.id, l.quantity, 'RESERVED', now(), now()
         from lines l join stock s on s.id::text = l.product_id, decision d
        where d.outcome = 'reserving'),
     refusal as (
       insert into reservation_rejections (order_id, short_lines, rejected_at)
       select ?, d.short_lines, now() from decision d where d.outcome = 'refusing')
     insert into outbox_messages (id, subject, payload)
     select (e.envelope->>'id')::uuid, e.envelope->>'type',
            case when e.kind = 'rejected'
                 then e.envelope || jsonb_build_object('data', jsonb_build_object('orderId', ?::text, 'shortLines', d.short_lines))
                 else e.envelope end
       from decision d join jsonb_to_recordset(?::jsonb) as e(kind text, envelope jsonb)
         on e.kind = case when d.outcome in ('reserving', 'reserved') then 'reserved'
                          when d.outcome in ('refusing', 'refused') then 'rejected' end
     returning *`,
    [
      lines.map(({ productId }) => productId),
      lines.map(({ quantity }) => quantity),
      uuids,
      orderId,
      orderId,
      orderId,
      orderId,
      orderId,
      orderId,
      JSON.stringify([
        { kind: 'reserved', envelope: reserved },
        { kind: 'rejected', envelope: rejected },
      ]),
    ],
  ];
}

/** The outcome the stored events say: none stored means the order was released first. */
export function outcomeOf(events: EventEnvelope[]): ReserveOutcome {
  const [event] = events;
  if (!event) return { ok: false, released: true };
  if (event.type === ProductSubjects.reserved) return { ok: true };
  return { ok: false, shortLines: (event.data as ReservationRejected).shortLines };
}
