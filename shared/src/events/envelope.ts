import { randomFillSync } from 'node:crypto';
import { z } from 'zod';
import { traceHeaders } from '../observability/tracing.js';
import type { Cause } from './cause.js';

/**
 * What travels on every subject. `type` repeats the subject so a stored or dead-lettered event
 * still says what it is; `correlationId` is the request that started the chain, `causationId`
 * the request or event that directly caused this one.
 */
export interface EventEnvelope<TData = unknown> {
  id: string;
  type: string;
  occurredAt: string;
  source: string;
  correlationId: string;
  causationId: string;
  data: TData;
  /**
   * The W3C trace context of the span that recorded the event (when tracing): the outbox relay
   * publishes it on later, outside that span, so the trace goes on in NATS headers from there.
   */
  traceparent?: string;
  tracestate?: string;
}

/** An event to record: what happened, who says so, and why (the causation defaults to the correlation). */
export interface NewEvent<TData = unknown> extends Cause {
  subject: string;
  data: TData;
  /** The publishing service. */
  source: string;
}

/** `<domain>.<entity>.<past-verb>.v<n>`, lower case, words joined by `-` (or `_` in test names). */
const SUBJECT = /^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*\.v[1-9][0-9]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export const isEventSubject = (subject: string): boolean => SUBJECT.test(subject);

function assertEventSubject(subject: string): string {
  if (!isEventSubject(subject)) {
    throw new Error(`"${subject}" is not an event subject (<domain>.<entity>.<past-verb>.v<n>)`);
  }
  return subject;
}

export function createEnvelope<TData>(event: NewEvent<TData>, now = new Date()): EventEnvelope<TData> {
  return {
    id: uuidv7(now),
    type: assertEventSubject(event.subject),
    occurredAt: now.toISOString(),
    source: event.source,
    correlationId: event.correlationId,
    causationId: event.causationId ?? event.correlationId,
    data: event.data,
    ...traceHeaders(),
  };
}

export class InvalidEnvelopeError extends Error {
  override name = 'InvalidEnvelopeError';
}

const present = (field: string) => z.string({ error: `${field} is missing` }).min(1, { error: `${field} is missing` });

/**
 * What every received message must be before anything looks at it: one schema, whose messages name
 * each problem. `data` is any JSON here; a consumer's contract (consumed-event.ts) narrows it, and
 * `type` and `source`, to the event it consumes.
 */
export const envelopeSchema = z.object(
  {
    id: z.string({ error: 'id is not a UUID' }).regex(UUID, { error: 'id is not a UUID' }),
    type: z.string({ error: 'type is not an event subject' }).regex(SUBJECT, { error: 'type is not an event subject' }),
    occurredAt: z.string({ error: 'occurredAt is not ISO UTC' }).regex(ISO_UTC, { error: 'occurredAt is not ISO UTC' }),
    source: present('source'),
    correlationId: present('correlationId'),
    causationId: present('causationId'),
    data: z.unknown().refine((data) => data !== undefined, { error: 'data is missing' }),
  },
  { error: 'envelope is not an object' },
);

/** Checks the shape of a received message: a consumer must never run a handler on garbage. */
export function parseEnvelope(raw: unknown): EventEnvelope {
  const value = typeof raw === 'string' ? parseJson(raw) : raw;
  const parsed = envelopeSchema.safeParse(value);
  if (!parsed.success) {
    const [first] = parsed.error.issues;
    if (first?.path.length === 0) throw new InvalidEnvelopeError(first.message);
    throw new InvalidEnvelopeError(`invalid envelope: ${parsed.error.issues.map((issue) => issue.message).join(', ')}`);
  }
  // The message as it came: fields beyond the envelope's are kept, as they always were.
  return value as EventEnvelope;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidEnvelopeError('envelope is not JSON');
  }
}

/**
 * Random bytes for ids, 256 ids' worth filled at a time: one call into OpenSSL for them all, as
 * randomUUID keeps its own cache, not a Buffer and a call an id (randomBytes: 27 to 36 µs an id in
 * bench:orders' steady profiles, 0.08 ms an order in the order subgraph). Each id takes its 16 bytes once.
 */
const randomPool = Buffer.alloc(16 * 256);
let randomAt = randomPool.length;

function random16(): Buffer {
  if (randomAt === randomPool.length) {
    randomFillSync(randomPool);
    randomAt = 0;
  }
  randomAt += 16;
  return randomPool.subarray(randomAt - 16, randomAt);
}

/** The millisecond and counter of this process's last id (see uuidv7). */
let last = { ms: -1, counter: 0 };

/**
 * UUID v7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, so ids sort roughly by
 * creation and the outbox and inbox primary-key indexes grow at one end instead of everywhere. The
 * next 12 bits count within a millisecond (RFC 9562's method 1, from a random start in the lower
 * half): ids one process makes in one millisecond, such as a group's notifications, sort in the
 * order they were made.
 */
export function uuidv7(now = new Date()): string {
  const bytes = random16();
  let ms = now.getTime();
  let counter = (((bytes[6] ?? 0) << 8) | (bytes[7] ?? 0)) & 0x7ff;
  // The same millisecond, or one just before the last id's (a borrowed one, a clock stepped back a
  // little): counted on from the last id. A time long past, given on purpose, starts afresh.
  if (ms <= last.ms && last.ms - ms <= 10_000) {
    [ms, counter] = [last.ms, last.counter + 1];
    // 4096 ids in one millisecond: the next ones borrow the next millisecond.
    if (counter > 0xfff) [ms, counter] = [ms + 1, 0];
  }
  last = { ms, counter };
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
