import { describe, expect, it } from 'vitest';
import { consumerName, deadLetterSubject, retryDelay } from '../../src/events/bus.js';
import { causedBy } from '../../src/events/cause.js';
import {
  createEnvelope,
  InvalidEnvelopeError,
  isEventSubject,
  parseEnvelope,
  uuidv7,
} from '../../src/events/envelope.js';

describe('event subjects', () => {
  it('accepts <domain>.<entity>.<past-verb>.v<n>', () => {
    for (const subject of [
      'orders.order.created.v1',
      'customers.customer.financial-profile-set.v1',
      'inventory.reservation.rejected.v12',
    ]) {
      expect(isEventSubject(subject)).toBe(true);
    }
  });

  it('refuses wildcards, missing versions, upper case and extra tokens', () => {
    for (const subject of [
      'orders.order.created',
      'orders.order.created.v0',
      'orders.*.created.v1',
      'orders.>',
      'Orders.order.created.v1',
      'orders.order.item.created.v1',
      'orders..created.v1',
    ]) {
      expect(isEventSubject(subject)).toBe(false);
    }
  });
});

describe('envelopes', () => {
  const now = new Date('2026-11-22T10:00:00.123Z');

  it('carries a v7 id, the subject as type, UTC time and the correlation', () => {
    const envelope = createEnvelope(
      { subject: 'orders.order.created.v1', data: { orderId: 'o1' }, source: 'order', correlationId: 'req-1' },
      now,
    );
    expect(envelope).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      type: 'orders.order.created.v1',
      occurredAt: '2026-11-22T10:00:00.123Z',
      source: 'order',
      correlationId: 'req-1',
      causationId: 'req-1',
      data: { orderId: 'o1' },
    });
    expect(parseEnvelope(JSON.stringify(envelope))).toEqual(envelope);
  });

  it('passes the correlation on and names the event as the cause', () => {
    const first = createEnvelope({ subject: 'orders.order.created.v1', data: {}, source: 'order', correlationId: 'r' });
    expect(causedBy(first)).toEqual({ correlationId: 'r', causationId: first.id });
  });

  it('refuses a bad subject when recording', () => {
    expect(() => createEnvelope({ subject: 'orders.created', data: {}, source: 'o', correlationId: 'r' })).toThrow(
      /not an event subject/,
    );
  });

  it('names every problem of a malformed envelope', () => {
    expect(() => parseEnvelope('{"id": "x", "type": "nope"}')).toThrow(InvalidEnvelopeError);
    expect(() => parseEnvelope('{"id": "x", "type": "nope"}')).toThrow(
      'invalid envelope: id is not a UUID, type is not an event subject, occurredAt is not ISO UTC, ' +
        'source is missing, correlationId is missing, causationId is missing, data is missing',
    );
    expect(() => parseEnvelope('not json')).toThrow('envelope is not JSON');
  });

  it('makes v7 ids that sort by time', () => {
    const ids = [0, 1, 2].map((ms) => uuidv7(new Date(now.getTime() + ms)));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => uuidv7(now))).size).toBe(1000);
  });

  it('puts the millisecond in the first 48 bits, and random bits of its own in each id, past many ids', () => {
    expect(uuidv7(new Date(0x0123_4567_89ab))).toMatch(/^01234567-89ab-7/);
    // 48 random bits an id: 1000 ids (past several refills of the random bytes kept) never repeat them.
    const tails = Array.from({ length: 1000 }, () => uuidv7(now).slice(-12));
    expect(new Set(tails).size).toBe(1000);
  });

  it('makes ids of one millisecond that sort in the order they were made, past 4096 of them too', () => {
    const at = new Date('2026-12-06T12:00:00.000Z');
    const ids = Array.from({ length: 5000 }, () => uuidv7(at));
    expect(ids.toSorted()).toEqual(ids);
    expect(new Set(ids).size).toBe(5000);
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(
      true,
    );
  });
});

describe('consumer naming and retry', () => {
  it('names durable consumers and dead-letter subjects after service and subject', () => {
    expect(consumerName('credit-status', 'customers.customer.registered.v1')).toBe(
      'credit-status__customers_customer_registered_v1',
    );
    expect(deadLetterSubject('deadletter', 'credit-status', 'customers.customer.registered.v1')).toBe(
      'deadletter.credit-status.customers.customer.registered.v1',
    );
  });

  it('waits longer after each failed delivery, then repeats the last delay', () => {
    const policy = { maxDeliver: 6, backoffMs: [1_000, 5_000, 15_000] };
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(policy, n))).toEqual([1_000, 5_000, 15_000, 15_000, 15_000]);
  });
});
