import type { StoredDeadLetter } from '@commerce-supergraph/shared/events/jetstream/dead-letters';
import { describe, expect, it } from 'vitest';
import { formatLetter, formatList, parseCommand, UsageError } from '../lib/dead-letters.ts';

const envelope = {
  id: '01a21769-5b3b-7f28-9a84-4cd4607d78ce',
  type: 'inventory.reservation.reserved.v1',
  occurredAt: '2026-11-26T10:00:00.000Z',
  source: 'product',
  correlationId: 'req-1',
  causationId: 'ev-0',
  data: { orderId: 'o-1', lines: [] },
};
const letter = (overrides: Partial<StoredDeadLetter> = {}): StoredDeadLetter => ({
  seq: 7,
  storedSubject: 'deadletter.order.inventory.reservation.reserved.v1',
  consumer: 'order__inventory_reservation_reserved_v1',
  subject: 'inventory.reservation.reserved.v1',
  eventId: envelope.id,
  deliveryCount: 5,
  error: 'relation "orders" is locked\n  at confirm',
  failedAt: '2026-11-26T10:00:51.000Z',
  envelope,
  raw: null,
  ...overrides,
});

describe('dead-letters command line', () => {
  it('parses the four commands, an id or --all, and refuses anything else', () => {
    expect(parseCommand(['list'])).toEqual({ name: 'list' });
    expect(parseCommand(['show', '12'])).toEqual({ name: 'show', id: 12 });
    expect(parseCommand(['replay', '--all'])).toEqual({ name: 'replay', id: 'all' });
    expect(parseCommand(['discard', '3'])).toEqual({ name: 'discard', id: 3 });
    for (const args of [
      [],
      ['list', '1'],
      ['show'],
      ['show', '--all'],
      ['replay', 'x'],
      ['replay', '0'],
      ['purge'],
      ['show', '1', '2'],
    ]) {
      expect(() => parseCommand(args)).toThrow(UsageError);
    }
  });

  it('lists one aligned line per letter: id, time, consumer, subject, event id, deliveries, error', () => {
    const lines = formatList([
      letter(),
      letter({ seq: 12, eventId: null, envelope: null, raw: '{', deliveryCount: 1 }),
    ]);
    expect(lines).toEqual([
      'ID  FAILED AT                 CONSUMER                                  SUBJECT                            EVENT ID                              DELIVERIES  ERROR',
      `7   2026-11-26T10:00:51.000Z  order__inventory_reservation_reserved_v1  inventory.reservation.reserved.v1  ${envelope.id}  5           relation "orders" is locked at confirm`,
      '12  2026-11-26T10:00:51.000Z  order__inventory_reservation_reserved_v1  inventory.reservation.reserved.v1  (not an envelope)                     1           relation "orders" is locked at confirm',
    ]);
  });

  it('shows a letter in full with how to replay it, and warns when the inboxes may have forgotten it', () => {
    const lines = formatLetter(letter(), new Date('2026-11-27T00:00:00Z'));
    expect(lines.slice(0, 7)).toEqual([
      'id:          7 (in deadletter.order.inventory.reservation.reserved.v1)',
      'consumer:    order__inventory_reservation_reserved_v1',
      'subject:     inventory.reservation.reserved.v1',
      `event id:    ${envelope.id}`,
      'deliveries:  5',
      'failed at:   2026-11-26T10:00:51.000Z',
      'error:       relation "orders" is locked\n  at confirm',
    ]);
    expect(lines).toContain('    "correlationId": "req-1",');
    expect(lines.at(-1)).toBe('replay it once its cause is fixed: npm run dead-letters -- replay 7');
    expect(formatLetter(letter(), new Date('2026-12-24T00:00:00Z')).at(-1)).toMatch(
      /^warning: failed more than 7 days ago/,
    );
    expect(formatLetter(letter({ envelope: null, eventId: null, raw: 'garbage' })).slice(-2)).toEqual([
      'raw:         garbage',
      'nothing to replay: npm run dead-letters -- discard 7',
    ]);
  });
});
