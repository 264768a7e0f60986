import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { type DeadLetter, type EventHandler, type RetryPolicy, retryDelay } from './bus.js';
import { type EventEnvelope, parseEnvelope } from './envelope.js';
import { PermanentFailure } from './permanent-failure.js';

/** What the transport must do with a delivery once the handler has had its go. */
export type Outcome =
  | { action: 'ack' }
  | { action: 'retry'; delayMs: number }
  | { action: 'dead-letter'; letter: DeadLetter };

export interface DeliveryInput {
  payload: Uint8Array | string;
  subject: string;
  consumer: string;
  deliveryCount: number;
  streamSequence?: number;
  policy: RetryPolicy;
  handler: EventHandler;
  log: Logger;
  /** How a handler failing for want of the database is waited out; tests shorten it. */
  databaseWait?: DatabaseWait;
}

/**
 * A handler that fails because the database is away (db/unavailable.ts: refused or cut
 * connections, PostgreSQL starting up or shutting down; not a busy pool, which is retried with the
 * usual backoff so the retries do not swamp it further) is run again in place,
 * after `firstDelayMs` doubling up to `maxDelayMs`, for up to `holdMs`: the message stays with
 * this instance (the consumer signals progress), no delivery is spent, and the saga resumes within
 * `maxDelayMs` of PostgreSQL's return instead of after the retry backoff (seconds to half a
 * minute). Past `holdMs` (bounded, so stopping never waits long on it) the message is handed back
 * for redelivery after `maxDelayMs`, and that delivery does not count towards dead-lettering.
 */
export interface DatabaseWait {
  firstDelayMs: number;
  maxDelayMs: number;
  holdMs: number;
}

export const DATABASE_WAIT: DatabaseWait = { firstDelayMs: 250, maxDelayMs: 1_000, holdMs: 10_000 };

const decoder = new TextDecoder();

/**
 * The per-message rules every bus shares, so the in-memory bus and JetStream cannot drift apart:
 * parse, run the handler with a logger that carries the event's ids, then ack, retry with
 * backoff, or dead-letter (a malformed message, or a PermanentFailure, at once: no retry can fix it).
 */
export async function dispatch(input: DeliveryInput): Promise<Outcome> {
  const { subject, consumer, deliveryCount, policy } = input;
  const raw = typeof input.payload === 'string' ? input.payload : decoder.decode(input.payload);
  let envelope: EventEnvelope;
  try {
    envelope = parseEnvelope(raw);
  } catch (error) {
    input.log.error({ err: error, subject, consumer }, 'message is not an event envelope; dead-lettered');
    return deadLetter(input, null, raw, error);
  }
  const key = input.streamSequence === undefined ? undefined : `${consumer}#${input.streamSequence}`;
  // Deliveries spent waiting for the database are not held against the message.
  const counted = deliveryCount - (key === undefined ? 0 : (uncounted.get(key) ?? 0));
  const log = input.log.child({
    eventId: envelope.id,
    subject,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    consumer,
    deliveryCount,
    ...(counted === deliveryCount ? {} : { countedDeliveries: counted }),
  });
  if (counted > policy.maxDeliver) {
    // The handler's deliveries were used up without an answer (it hung past ack_wait or the process died).
    const error = new Error(`no outcome after ${policy.maxDeliver} deliveries (timed out or interrupted)`);
    log.error({ err: error }, 'event dead-lettered');
    forget(key);
    return deadLetter(input, envelope, null, error);
  }
  const run = () => input.handler(envelope, { consumer, deliveryCount, streamSequence: input.streamSequence, log });
  const wait = input.databaseWait ?? DATABASE_WAIT;
  try {
    await runWaitingForDatabase(run, wait, log);
    forget(key);
    return { action: 'ack' };
  } catch (error) {
    if (error instanceof PermanentFailure) {
      log.error({ err: error }, 'event refused; dead-lettered without retry');
      forget(key);
      return deadLetter(input, envelope, null, error);
    }
    if (error instanceof DatabaseStillUnavailable) {
      if (key !== undefined) remember(key);
      log.warn({ err: error.cause, retryInMs: wait.maxDelayMs }, 'database still unavailable; event handed back');
      return { action: 'retry', delayMs: wait.maxDelayMs };
    }
    if (counted >= policy.maxDeliver) {
      log.error({ err: error }, 'handler failed on its last delivery; event dead-lettered');
      forget(key);
      return deadLetter(input, envelope, null, error);
    }
    const delayMs = retryDelay(policy, counted);
    log.warn({ err: error, retryInMs: delayMs }, 'handler failed; event will be redelivered');
    return { action: 'retry', delayMs };
  }
}

class DatabaseStillUnavailable extends Error {}

/** Runs `work`, again and again while it fails only because the database is away, for up to `wait.holdMs`. */
async function runWaitingForDatabase(work: () => Promise<void>, wait: DatabaseWait, log: Logger): Promise<void> {
  const since = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await work();
      if (attempt > 1) log.info({ waitedMs: Date.now() - since, attempts: attempt }, 'database back; event handled');
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const delayMs = Math.min(wait.firstDelayMs * 2 ** (attempt - 1), wait.maxDelayMs);
      if (Date.now() - since + delayMs > wait.holdMs)
        throw new DatabaseStillUnavailable('database unavailable', { cause: error });
      if (attempt === 1) log.warn({ err: error }, 'database unavailable; handling the event again once it is back');
      await sleep(delayMs);
    }
  }
}

/**
 * Deliveries of a message (by consumer and stream sequence) handed back while the database was
 * away. In memory: a process that dies forgets them, and its successor counts them, which only
 * brings dead-lettering nearer after an outage longer than the database watchdog tolerates anyway.
 */
const uncounted = new Map<string, number>();
const UNCOUNTED_LIMIT = 10_000;

function remember(key: string): void {
  uncounted.set(key, (uncounted.get(key) ?? 0) + 1);
  // Insertion order: the oldest entries (messages long since settled elsewhere) go first.
  while (uncounted.size > UNCOUNTED_LIMIT) uncounted.delete(uncounted.keys().next().value as string);
}

function forget(key: string | undefined): void {
  if (key !== undefined) uncounted.delete(key);
}

function deadLetter(input: DeliveryInput, envelope: EventEnvelope | null, raw: string | null, error: unknown): Outcome {
  return {
    action: 'dead-letter',
    letter: {
      consumer: input.consumer,
      subject: input.subject,
      eventId: envelope?.id ?? null,
      deliveryCount: input.deliveryCount,
      error: error instanceof Error ? error.message : String(error),
      failedAt: new Date().toISOString(),
      envelope,
      raw,
    },
  };
}
