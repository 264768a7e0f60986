import type { EntityManager, Opt } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { DATABASE_NOW } from '../db/database-now.js';
import type { Cause } from './cause.js';
import { createEnvelope, type EventEnvelope, type NewEvent } from './envelope.js';

/**
 * An event waiting to be published, written in the transaction of the change it reports, so the
 * change and its event commit or vanish together. Every subgraph's database has the table (see
 * tables.ts). Times come from the database clock (DATABASE_NOW, the column defaults alike), the one
 * clock every instance shares, so a row is never "not yet due" because one server's clock runs ahead.
 */
@Entity({ tableName: 'outbox_messages' })
@Index({ properties: ['publishedAt', 'createdAt'] })
export class OutboxMessage {
  /** The event id: also the NATS msg id, so the server drops a re-publish. */
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'json' })
  payload!: EventEnvelope;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = DATABASE_NOW;

  /** Set when the server acknowledged the publish; published rows are pruned after a retention time. */
  @Property({ type: 'timestamptz', nullable: true })
  publishedAt?: Date | null;

  @Property({ type: 'integer', default: 0 })
  attempts!: number & Opt;

  /** A claimed row's lease, or the backoff after a failed publish: no relay takes it before then. */
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  nextAttemptAt: Date & Opt = DATABASE_NOW;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;
}

/**
 * Adds an event to the outbox of the unit of work: call it inside `em.transactional` next to the
 * change. It is published after the commit (the relay is kicked by the commit itself).
 */
export function recordEvent<TData>(em: EntityManager, event: NewEvent<TData>): EventEnvelope<TData> {
  const envelope = createEnvelope(event);
  em.create(OutboxMessage, { id: envelope.id, subject: envelope.type, payload: envelope });
  return envelope;
}

/** Records one of a service's own events; `P` maps each subject it publishes to the shape of its data. */
export type EventRecorder<P> = <S extends keyof P & string>(
  em: EntityManager,
  cause: Cause,
  subject: S,
  data: P[S],
) => EventEnvelope<P[S]>;

/**
 * The one typed way a service records its own events: the subject picks the payload type, the
 * source is the service's. Call it inside the change's unit of work.
 */
export const eventRecorder =
  <P>(source: string): EventRecorder<P> =>
  (em, cause, subject, data) =>
    recordEvent(em, { subject, data, source, ...cause });
