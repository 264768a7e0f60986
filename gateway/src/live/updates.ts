/**
 * How the order subgraph's events become what the live API pushes. The gateway keeps its own copy of
 * the subjects and the few fields it reads (docs/architecture.md, Events: the contract is the JSON
 * shape, versioned in the subject), and reads nothing personal: ids, statuses and reasons only.
 */
export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'PAID' | 'CANCELLED';

export interface OrderUpdate {
  orderId: string;
  /** Whose order: used to route and authorize, never sent to the client (not in the schema). */
  customerId: string;
  status: OrderStatus;
  paymentStatus: 'SUCCEEDED' | 'FAILED' | null;
  reason: string | null;
  occurredAt: string;
  /** The event's id: the same event seen twice (a redelivery after a reconnect) is pushed once. */
  eventId: string;
}

/** The streams the updates come from; the order subgraph owns both. */
export const LIVE_STREAMS = ['ORDERS', 'PAYMENTS'] as const;

interface Envelope {
  id?: unknown;
  type?: unknown;
  occurredAt?: unknown;
  data?: { orderId?: unknown; customerId?: unknown; reason?: unknown };
}

type Mapping = Pick<OrderUpdate, 'status' | 'paymentStatus'> & { withReason: boolean };

const SUBJECTS: Record<string, Mapping> = {
  'orders.order.created.v1': { status: 'PENDING', paymentStatus: null, withReason: false },
  'orders.order.confirmed.v1': { status: 'CONFIRMED', paymentStatus: null, withReason: false },
  'orders.order.rejected.v1': { status: 'REJECTED', paymentStatus: null, withReason: true },
  'orders.order.cancelled.v1': { status: 'CANCELLED', paymentStatus: null, withReason: true },
  'payments.payment.succeeded.v1': { status: 'PAID', paymentStatus: 'SUCCEEDED', withReason: false },
  // A declined payment leaves the order CONFIRMED: the customer may pay again.
  'payments.payment.failed.v1': { status: 'CONFIRMED', paymentStatus: 'FAILED', withReason: true },
};

/** The update an event stands for, or undefined for any other subject or a malformed event. */
export function toOrderUpdate(subject: string, body: string): OrderUpdate | undefined {
  const mapping = SUBJECTS[subject];
  if (!mapping) return undefined;
  let envelope: Envelope;
  try {
    envelope = JSON.parse(body) as Envelope;
  } catch {
    return undefined;
  }
  const { id, occurredAt, data } = envelope;
  if (typeof id !== 'string' || typeof occurredAt !== 'string') return undefined;
  if (typeof data?.orderId !== 'string' || typeof data.customerId !== 'string') return undefined;
  return {
    orderId: data.orderId,
    customerId: data.customerId,
    status: mapping.status,
    paymentStatus: mapping.paymentStatus,
    reason: mapping.withReason && typeof data.reason === 'string' ? data.reason : null,
    occurredAt,
    eventId: id,
  };
}

/** How far an order has come: a subscriber never sees it go back (events of two streams may interleave). */
export function progressOf(status: OrderStatus): number {
  return status === 'PENDING' ? 0 : status === 'CONFIRMED' ? 1 : 2;
}
