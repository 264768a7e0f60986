import type { EntityManager } from '@mikro-orm/postgresql';
import type { Rows } from '../db/held-results.js';
import { withNextThen } from '../db/held-results.js';
import type { Statement } from '../db/one-trip.js';
import type { Cause } from './cause.js';
import { createEnvelope, type EventEnvelope } from './envelope.js';
import { OutboxMessage } from './outbox.js';

/**
 * Events recorded by the statement that makes the change they report, and sent with the commit.
 *
 * A saga step that moves a row and records its event (`recordEvent`) waits on two round trips: the
 * change, whose `returning` gives the event its data and says whether anything moved, then the
 * event's insert with the commit. Here the event's insert rides in the change's own statement (a
 * data-modifying CTE), one insert per row the change returned, its data built in SQL from that row,
 * so the change needs no answer before the commit and goes with it (held-results.ts): a step that
 * was a claim and a change before its commit is one message.
 *
 * `eventsStoredBy` is the general form, for a step that decides in SQL which event to store (a
 * reservation: reserved, rejected or none, subgraphs/product/src/domain/reservation-in-sql.ts).
 *
 * Exactly what `recordEvent` gives, in the same transaction: a row the change did not return (the
 * order moved on meanwhile) records no event; the relay publishes the rows after the commit, from
 * memory (they join the transaction's EntityManager, where kick-after-commit.ts finds them), and
 * only the rows stored; a transaction that rolls back publishes nothing.
 */

export interface ChangeEvents {
  /** A data-modifying statement (`update ... returning ...`) whose rows the events report. */
  change: Statement;
  /** The column of the change's rows that says which event is whose (matched as text). */
  key: string;
  /** One event per key: what it says (subject, source, cause); a key the change did not return records nothing. */
  events: ReadonlyMap<string, { subject: string; source: string; cause: Cause }>;
  /** The event's data, a SQL expression over the change's row, named `changed` (a `jsonb_build_object`). */
  data: string;
}

/**
 * Sends `change` with the commit of `em`'s transaction, with an event for each row it returns.
 * `stored` resolves after the commit with the events stored; never before, so a caller inside a
 * transaction it does not end (an event handler's) must not await it, only attach to it.
 */
export function changeWithEvents(
  em: EntityManager,
  { change: [changeSql, changeParams = []], key, events, data }: ChangeEvents,
): Promise<{ stored: Promise<EventEnvelope[]> }> {
  const envelopes = [...events].map(([id, { subject, source, cause }]) => ({
    key: id,
    envelope: createEnvelope({ subject, source, data: null, ...cause }),
  }));
  return eventsStoredBy(em, [
    `with changed as (${changeSql})
     insert into outbox_messages (id, subject, payload)
     select (e.envelope->>'id')::uuid, e.envelope->>'type', e.envelope || jsonb_build_object('data', ${data})
       from changed join jsonb_to_recordset(?::jsonb) as e(key text, envelope jsonb) on e.key = changed.${key}::text
     returning *`,
    [...changeParams, JSON.stringify(envelopes)],
  ]);
}

/**
 * The general form: `statement` is an `insert into outbox_messages ... returning *` (whatever it
 * changes on the way, in data-modifying CTEs, and whatever it decides in SQL), sent with the commit.
 * `stored` resolves after the commit with the events it stored, which the relay publishes.
 */
export async function eventsStoredBy(
  em: EntityManager,
  [statementSql, params = []]: Statement,
): Promise<{ stored: Promise<EventEnvelope[]> }> {
  // Outside a transaction nothing would tell the relay: the events would wait for its sweep.
  if (!em.isInTransaction()) throw new Error('events stored in SQL need a unit of work');
  let told: (envelopes: EventEnvelope[]) => void = () => undefined;
  const stored = new Promise<EventEnvelope[]>((resolve) => {
    told = resolve;
  });
  const { sql, forget } = withNextThen(statementSql, (rows: Rows) => {
    // Told first: a row that fails to map below still leaves the caller its answer (and the sweep the row).
    told(rows.map((row) => row.payload as EventEnvelope));
    // Into the transaction's EntityManager, as `recordEvent`'s rows are: the relay's commit hook finds them there.
    for (const row of rows) em.map(OutboxMessage, row);
  });
  try {
    await em.execute(sql, [...params]);
  } catch (error) {
    forget();
    throw error;
  }
  return { stored };
}
