import { InMemoryEventBus } from '@commerce-supergraph/test-support/memory-bus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { accepting, consumedEvent, eventFields as f, RefusedEventError } from '../../src/events/consumed-event.js';
import { createEnvelope, type EventEnvelope } from '../../src/events/envelope.js';

const ORDER_ID = '0196a3c2-8f1e-7b4d-9a2c-3d4e5f6a7b8c';
const PRODUCT_ID = '0196a3c2-8f1e-7b4d-9a2c-000000000001';
const reserved = consumedEvent('inventory.reservation.reserved.v1', {
  source: 'product',
  data: z.object({
    orderId: f.id(),
    lines: z.array(z.object({ productId: f.id(), quantity: f.quantity() })).min(1),
  }),
});
const valid = { orderId: ORDER_ID, lines: [{ productId: PRODUCT_ID, quantity: 2 }] };
const envelope = (data: unknown, source = 'product') =>
  createEnvelope({ subject: reserved.subject, data, source, correlationId: 'req-1' });

let bus: InMemoryEventBus;
afterEach(() => bus?.close());

/** Publishes one envelope to a consumer of `reserved` and waits until it was handled or dead-lettered. */
async function deliver(message: EventEnvelope) {
  bus = new InMemoryEventBus({ service: 'order', retry: { maxDeliver: 5, backoffMs: [10] } });
  const handled: EventEnvelope[] = [];
  let deliveries = 0;
  await bus.subscribe(
    reserved.subject,
    async (received, delivery) => {
      deliveries = delivery.deliveryCount;
      await accepting(reserved, async (accepted) => {
        handled.push(accepted);
      })(received, delivery);
    },
    {},
  );
  await bus.publish(message);
  await vi.waitFor(() => expect(handled.length + bus.deadLetters.length).toBe(1));
  return { handled, deadLetters: bus.deadLetters, deliveries };
}

describe('a consumed event checked against its contract', () => {
  it('reaches the handler when it matches, with only the declared fields', async () => {
    const { handled, deadLetters } = await deliver(envelope({ ...valid, note: 'extra' }));
    expect(deadLetters).toEqual([]);
    expect(handled[0]?.data).toEqual(valid);
  });

  it.each([
    ['another source', envelope(valid, 'customer'), 'source: "customer" is not "product", the publisher of'],
    ['a missing field', envelope({ orderId: ORDER_ID }), 'data.lines: missing'],
    ['a field of the wrong type', envelope({ ...valid, orderId: 42 }), 'data.orderId: Invalid input: expected string'],
    ['an id that is not a uuid', envelope({ ...valid, orderId: 'order-1' }), 'data.orderId: not a uuid'],
    ['an upper-case id', envelope({ ...valid, orderId: ORDER_ID.toUpperCase() }), 'data.orderId: not a uuid'],
    [
      'a bad line',
      envelope({ orderId: ORDER_ID, lines: [{ productId: PRODUCT_ID, quantity: 0 }] }),
      'data.lines.0.quantity: Too small',
    ],
    ['no lines', envelope({ orderId: ORDER_ID, lines: [] }), 'data.lines: Too small'],
    ['data that is not an object', envelope('x'), 'data: Invalid input: expected object'],
  ])('is dead-lettered on its first delivery with the reason when it has %s', async (_case, message, reason) => {
    const { handled, deadLetters, deliveries } = await deliver(message);
    expect(handled).toEqual([]);
    expect(deliveries).toBe(1);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ eventId: message.id, deliveryCount: 1, envelope: message });
    expect(deadLetters[0]?.error).toContain(`refused ${reserved.subject}: `);
    expect(deadLetters[0]?.error).toContain(reason);
  });

  it('refuses an envelope of another type sent on its subject', async () => {
    const other = { ...envelope(valid), type: 'inventory.reservation.rejected.v1' };
    await expect(accepting(reserved, async () => undefined)(other, {} as never)).rejects.toThrow(RefusedEventError);
    await expect(accepting(reserved, async () => undefined)(other, {} as never)).rejects.toThrow(
      'type: "inventory.reservation.rejected.v1" is not inventory.reservation.reserved.v1',
    );
  });

  it('names every problem at once', async () => {
    const message = envelope({ orderId: 'x', lines: [{ productId: PRODUCT_ID }] }, 'mallory');
    await expect(accepting(reserved, async () => undefined)(message, {} as never)).rejects.toThrow(
      'refused inventory.reservation.reserved.v1: source: "mallory" is not "product", the publisher of ' +
        'inventory.reservation.reserved.v1; data.orderId: not a uuid; data.lines.0.quantity: missing',
    );
  });
});
