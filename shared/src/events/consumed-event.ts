import { z } from 'zod';
import { UUID } from '../db/uuid.js';
import type { Delivery, EventHandler } from './bus.js';
import { type EventEnvelope, envelopeSchema } from './envelope.js';
import { PermanentFailure } from './permanent-failure.js';

/**
 * One subject a service consumes, as its own copy of the contract (`events/contracts/consumed.ts`):
 * the subject, the service that publishes it, and the schema of the whole envelope with its `data`.
 * A handler registered with it (`on(event, handler)`) only ever sees an envelope that passed.
 */
export interface ConsumedEvent<TSubject extends string = string, TData = unknown> {
  readonly subject: TSubject;
  /** The one service that publishes the subject (its stream's owner); any other source is refused. */
  readonly source: string;
  readonly schema: z.ZodType<EventEnvelope<TData>>;
}

/** The payload a consumed event's handler receives, inferred from its schema. */
export type EventData<T> = T extends ConsumedEvent<string, infer TData> ? TData : never;

/**
 * Declares a consumed subject: `data` lists the fields this consumer reads (others are dropped
 * before the handler sees the payload, so a publisher may add fields without breaking anyone).
 */
export function consumedEvent<const TSubject extends string, TData extends z.ZodType>(
  subject: TSubject,
  contract: { source: string; data: TData },
): ConsumedEvent<TSubject, z.output<TData>> {
  const { source, data } = contract;
  const schema = envelopeSchema.extend({
    type: z.literal(subject, { error: (issue) => `${JSON.stringify(issue.input)} is not ${subject}` }),
    source: z.literal(source, {
      error: (issue) => `${JSON.stringify(issue.input)} is not "${source}", the publisher of ${subject}`,
    }),
    data,
  });
  return { subject, source, schema: schema as unknown as z.ZodType<EventEnvelope<z.output<TData>>> };
}

/** The fields contracts have in common, so that "an id" or "an amount" means one thing in every one. */
export const eventFields = {
  /** An id that names a row: a uuid in canonical lower case, as every id is issued (db/uuid.ts). */
  id: () => z.string().regex(UUID, { error: 'not a uuid' }),
  /** An amount of money: a decimal string, never a float ("59.80"). */
  amount: () => z.string().regex(/^\d+(\.\d+)?$/, { error: 'not a decimal amount' }),
  /** An ISO 4217 currency code ("USD"). */
  currency: () => z.string().regex(/^[A-Z]{3}$/, { error: 'not a currency code' }),
  /** A count of units: a whole number from 1 that fits a database integer. */
  quantity: () => z.int().positive().max(2_147_483_647),
  /** A count that may be 0 (units available), likewise. */
  count: () => z.int().nonnegative().max(2_147_483_647),
  /** A moment: an ISO 8601 timestamp in UTC, as `Date.toISOString()` writes it. */
  instant: () => z.iso.datetime({ error: 'not an ISO UTC timestamp' }),
  /** Words for people (a reason, a name): not empty. */
  text: () => z.string().min(1),
};

/** An event its consumer will not apply: the message names each field that failed, or the wrong source. */
export class RefusedEventError extends PermanentFailure {
  override name = 'RefusedEventError';
}

/** Missing fields say so, instead of "expected string, received undefined". */
const missing = (issue: { input?: unknown }) => (issue.input === undefined ? 'missing' : undefined);

/**
 * Checks each delivery against the event's schema before the handler (and its inbox) sees it. An
 * envelope that fails is refused with a RefusedEventError, which the dispatcher dead-letters at once:
 * nothing is applied, nothing is recorded in the inbox, and no redelivery is spent on it.
 */
export function accepting<TData>(
  event: ConsumedEvent<string, TData>,
  handler: (envelope: EventEnvelope<TData>, delivery: Delivery) => Promise<void>,
): EventHandler {
  return async (envelope, delivery) => {
    const parsed = event.schema.safeParse(envelope, { error: missing });
    if (!parsed.success) throw new RefusedEventError(refusal(event.subject, parsed.error));
    await handler(parsed.data, delivery);
  };
}

function refusal(subject: string, error: z.ZodError): string {
  const problems = error.issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  return `refused ${subject}: ${problems.join('; ')}`;
}
