import type { Opt } from '@mikro-orm/core';
import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Delivery, EventHandler } from './bus.js';
import type { EventEnvelope } from './envelope.js';
import { type GroupHandler, type GroupLock, InboxGroups, type Linger } from './inbox-groups.js';

/**
 * An event a consumer has handled; the key makes a second handling of one event impossible. Rows
 * are pruned after a retention far longer than any redelivery (see pruneHandled), hence the index.
 */
@Entity({ tableName: 'inbox_messages' })
@Index({ properties: ['handledAt'] })
export class InboxMessage {
  [PrimaryKeyProp]?: ['consumer', 'eventId'];

  @PrimaryKey({ type: 'text' })
  consumer!: string;

  @PrimaryKey({ type: 'uuid' })
  eventId!: string;

  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  handledAt!: Date & Opt;

  /** The message's sequence in its stream (null from a bus without one): pruning never goes past the consumer's position. */
  @Property({ type: 'bigint', nullable: true })
  streamSeq?: string | null;
}

export interface HandlerContext {
  /** A fork in the message's own transaction: the effects and the inbox row commit together. Every
   * service runs on PostgreSQL, so handlers get its EntityManager (raw SQL, query builder) as is. */
  em: EntityManager;
  log: Logger;
  delivery: Delivery;
}

export type TransactionalHandler<TData = unknown> = (
  envelope: EventEnvelope<TData>,
  context: HandlerContext,
) => Promise<void>;

/** inbox-groups.ts's GroupLock and GroupHandler, for one subscription's payload. */
export type GroupLockOf<TData> = (em: EntityManager, events: EventEnvelope<TData>[]) => Promise<void>;
export type GroupHandlerOf<TData> = (
  em: EntityManager,
  messages: { envelope: EventEnvelope<TData>; delivery: Delivery }[],
) => Promise<void>;

/**
 * Makes a handler safe to redeliver: each message runs in a transaction that first claims
 * `(consumer, event id)` in the inbox and then runs the handler, on a fresh EntityManager. A
 * duplicate finds the row taken and is skipped (and acked); a failure rolls both back, so the retry
 * starts clean. Two instances handling one event at once serialise on the key: the second sees a
 * duplicate. Messages that arrive while a transaction runs share the next one (inbox-groups.ts),
 * which takes its locks first with `lockFirst` when the handler locks rows another subscription
 * of the service locks too; with `linger`, an idle subscription waits a moment for company first.
 */
export function withInbox<TData>(
  orm: MikroORM,
  handler: TransactionalHandler<TData>,
  options: { lockFirst?: GroupLockOf<TData>; handleGroup?: GroupHandlerOf<TData>; linger?: Linger } = {},
): EventHandler {
  const groups = new InboxGroups(orm, handler as TransactionalHandler, {
    lockFirst: options.lockFirst as GroupLock | undefined,
    handleGroup: options.handleGroup as GroupHandler | undefined,
    linger: options.linger,
  });
  return (envelope, delivery) => groups.handle(envelope, delivery);
}

/**
 * Deletes inbox rows older than the retention, in batches, but never a row above its consumer's
 * recorded position (consumer_positions): a consumer created again resumes after that position,
 * and the rows above it are what keeps the events it sees again from being applied twice, however
 * old they are. Rows without a sequence (a bus without one, or rows from before positions) go by
 * age alone. Within the retention, rows also catch re-publishes and redeliveries.
 */
export async function pruneHandled(em: EntityManager, retentionMs: number): Promise<number> {
  let total = 0;
  for (;;) {
    const { affectedRows }: { affectedRows: number } = await em.getConnection().execute(
      `delete from inbox_messages where (consumer, event_id) in (
         select i.consumer, i.event_id from inbox_messages i
           left join consumer_positions p on p.consumer = i.consumer
          where i.handled_at < now() - ? * interval '1 millisecond'
            and (i.stream_seq is null or i.stream_seq <= p.ack_floor)
          limit 1000)`,
      [retentionMs],
      'run',
    );
    total += affectedRows;
    if (affectedRows < 1_000) return total;
  }
}
