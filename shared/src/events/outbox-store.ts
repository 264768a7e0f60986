import type { EntityManager } from '@mikro-orm/core';
import type { EventEnvelope } from './envelope.js';

/** The relay's SQL, kept apart so each statement can say why it is written the way it is. */

export interface ClaimedRow {
  id: string;
  payload: EventEnvelope;
  attempts: number;
}

/**
 * Claims up to `limit` due rows, oldest first, in one statement (one short transaction).
 * SKIP LOCKED lets a second relay take the next rows instead of waiting; the lease (next_attempt_at
 * in the future) keeps them ours after the commit releases the locks, until we publish or crash.
 * A row no relay has tried yet is left alone for `freshMs` after its commit began: the process that
 * committed it is publishing it from memory (relay.ts).
 */
export async function claimDue(
  em: EntityManager,
  limit: number,
  leaseMs: number,
  freshMs: number,
): Promise<ClaimedRow[]> {
  // The CTE only to sort: RETURNING has no order of its own.
  return em.getConnection().execute(
    `with claimed as (
       update outbox_messages o
          set attempts = o.attempts + 1, next_attempt_at = now() + ? * interval '1 millisecond'
         from (select id from outbox_messages
                where published_at is null and next_attempt_at <= now()
                  and (attempts > 0 or created_at <= now() - ? * interval '1 millisecond')
                order by created_at, id limit ? for update skip locked) due
        where o.id = due.id
    returning o.id, o.payload, o.attempts, o.created_at)
     select id, payload, attempts from claimed order by created_at, id`,
    [leaseMs, freshMs, limit],
  );
}

export async function markPublished(em: EntityManager, ids: string[], remove: boolean): Promise<void> {
  const list = ids.map(() => '?').join(', ');
  await em
    .getConnection()
    .execute(
      remove
        ? `delete from outbox_messages where id in (${list})`
        : `update outbox_messages set published_at = now(), last_error = null where id in (${list})`,
      ids,
      'run',
    );
}

export async function markFailed(em: EntityManager, id: string, delayMs: number, error: string): Promise<void> {
  await em.getConnection().execute(
    `update outbox_messages set next_attempt_at = now() + ? * interval '1 millisecond', last_error = ?
        where id = ? and published_at is null`,
    [delayMs, error.slice(0, 1_000), id],
    'run',
  );
}

/** Whether the event has left the outbox: published, or its row already gone (removed once published). */
export async function isPublished(em: EntityManager, id: string): Promise<boolean> {
  const [row] = await em
    .getConnection()
    .execute<{ published: boolean }[]>(
      'select published_at is not null as published from outbox_messages where id = ?',
      [id],
    );
  return row === undefined || row.published;
}

/** Deletes published rows past retention, a thousand at a time so no statement holds locks for long. */
export async function prunePublished(em: EntityManager, retentionMs: number): Promise<number> {
  let total = 0;
  for (;;) {
    const { affectedRows }: { affectedRows: number } = await em.getConnection().execute(
      `delete from outbox_messages where id in (
         select id from outbox_messages
          where published_at < now() - ? * interval '1 millisecond' limit 1000)`,
      [retentionMs],
      'run',
    );
    total += affectedRows;
    if (affectedRows < 1_000) return total;
  }
}
