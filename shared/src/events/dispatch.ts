import type { Logger } from 'pino';
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
}

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
  const log = input.log.child({
    eventId: envelope.id,
    subject,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    consumer,
    deliveryCount,
  });
  if (deliveryCount > policy.maxDeliver) {
    // The handler's deliveries were used up without an answer (it hung past ack_wait or the process died).
    const error = new Error(`no outcome after ${policy.maxDeliver} deliveries (timed out or interrupted)`);
    log.error({ err: error }, 'event dead-lettered');
    return deadLetter(input, envelope, null, error);
  }
  try {
    await input.handler(envelope, { consumer, deliveryCount, streamSequence: input.streamSequence, log });
    return { action: 'ack' };
  } catch (error) {
    if (error instanceof PermanentFailure) {
      log.error({ err: error }, 'event refused; dead-lettered without retry');
      return deadLetter(input, envelope, null, error);
    }
    if (deliveryCount >= policy.maxDeliver) {
      log.error({ err: error }, 'handler failed on its last delivery; event dead-lettered');
      return deadLetter(input, envelope, null, error);
    }
    const delayMs = retryDelay(policy, deliveryCount);
    log.warn({ err: error, retryInMs: delayMs }, 'handler failed; event will be redelivered');
    return { action: 'retry', delayMs };
  }
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
