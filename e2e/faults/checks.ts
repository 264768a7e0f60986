import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientRecord, Customer, Tally } from './clients.ts';
import type { Clock } from './clock.ts';
import { seconds } from './clock.ts';
import { consumerStates, type Databases, type DeadLetterSummary, type NatsTarget } from './inspect.ts';
import type { ReadyViolation, Wedge } from './readiness.ts';

export const DB = { customer: 'customer_db', product: 'product_db', order: 'order_db', credit: 'credit_db' } as const;

/** The credit score every customer starts at (docs/api.md, Credit status). */
const INITIAL_SCORE = 650;
const SETTLED = new Set(['CONFIRMED', 'PAID', 'REJECTED', 'CANCELLED']);
const ORDER_ID_IN_BODY = /order ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

export interface ProductStock {
  id: string;
  name: string;
  initialStock: number;
}

interface OrderRow {
  id: string;
  customer_id: string;
  idempotency_key: string | null;
  status: string;
  total_amount: string;
}
interface ItemRow {
  order_id: string;
  product_id: string;
  quantity: number;
}
interface PaymentRow {
  id: string;
  order_id: string;
  status: string;
  amount: string;
}
interface ProductRow {
  id: string;
  on_hand: number;
  reserved: number;
}
interface ReservationRow {
  order_id: string;
  product_id: string;
  quantity: number;
  status: string;
}
interface NotificationRow {
  customer_id: string;
  subject: string;
  body: string;
}

/** Everything the checks read, in one pass over the four databases. */
export interface Snapshot {
  orders: OrderRow[];
  items: ItemRow[];
  payments: PaymentRow[];
  products: ProductRow[];
  reservations: ReservationRow[];
  rejections: { order_id: string }[];
  creditStatuses: { customer_id: string; score: number }[];
  creditChanges: { customer_id: string; delta: number; reason: string }[];
  notifications: NotificationRow[];
  unpublished: Record<string, number>;
}

export async function readSnapshot(db: Databases): Promise<Snapshot> {
  const [orders, items, payments, products, reservations, rejections, creditStatuses, creditChanges, notifications] =
    await Promise.all([
      db.query<OrderRow>(DB.order, 'select id, customer_id, idempotency_key, status, total_amount::text from orders'),
      db.query<ItemRow>(DB.order, 'select order_id, product_id, quantity from order_items'),
      db.query<PaymentRow>(DB.order, 'select id, order_id, status, amount::text from payments'),
      db.query<ProductRow>(DB.product, 'select id, on_hand, reserved from products'),
      db.query<ReservationRow>(DB.product, 'select order_id, product_id, quantity, status from reservations'),
      db.query<{ order_id: string }>(DB.product, 'select order_id from reservation_rejections'),
      db.query<{ customer_id: string; score: number }>(DB.credit, 'select customer_id, score from credit_statuses'),
      db.query<{ customer_id: string; delta: number; reason: string }>(
        DB.credit,
        'select customer_id, delta, reason from credit_score_changes',
      ),
      db.query<NotificationRow>(DB.customer, 'select customer_id, subject, body from notifications'),
    ]);
  const unpublished: Record<string, number> = {};
  for (const name of Object.values(DB)) {
    const [row] = await db.query<{ n: string }>(
      name,
      'select count(*)::text as n from outbox_messages where published_at is null',
    );
    unpublished[name] = Number(row?.n ?? 0);
  }
  return {
    orders,
    items,
    payments,
    products,
    reservations,
    rejections,
    creditStatuses,
    creditChanges,
    notifications,
    unpublished,
  };
}

/** Reads a snapshot, retrying while PostgreSQL or a pool is still recovering. */
export async function readSnapshotPatiently(db: Databases, timeoutMs = 20_000): Promise<Snapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await readSnapshot(db);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

export interface SettleObservation {
  /** Clock time every order the clients hold was first seen settled; undefined if some never were. */
  allSettledAt?: number;
  /** Orders still PENDING at their deadline, with when (if ever) they settled. */
  late: { orderId: string; key: string | null; deadline: number; settledAt?: number; status: string }[];
  /** Longest time from the deadline's reference (the later of the last service's readiness and the order's placing) to settling. */
  slowestMs: number;
}

/**
 * From `readyAt` (the last service ready again), polls the order database until every order is
 * out of PENDING. An order must be settled `settleMs` after `readyAt`, or after the client got it
 * if that was later. Keeps watching a while past the deadline so a late order's real delay shows.
 */
export async function observeSettling(options: {
  db: Databases;
  clock: Clock;
  clients: ClientRecord[];
  readyAt: number;
  settleMs: number;
  observeMs: number;
  /** While false, more clients are still to come (`clients` grows): watching began during the load. */
  allArrived?: () => boolean;
}): Promise<SettleObservation> {
  const { db, clock, clients, readyAt, settleMs } = options;
  const placingDone = () =>
    (options.allArrived?.() ?? true) &&
    clients.every((client) => client.orderId !== undefined || client.gaveUp !== undefined);
  const reference = new Map<string, number>();
  for (const client of clients)
    if (client.orderId) reference.set(client.orderId, Math.max(readyAt, client.placedAt ?? 0));
  const settledAt = new Map<string, number>();
  const statusOf = new Map<string, OrderRow>();
  const stopAt = readyAt + settleMs + options.observeMs;
  for (;;) {
    const now = clock.now();
    let rows: OrderRow[] | undefined;
    try {
      rows = await db.query<OrderRow>(DB.order, 'select id, idempotency_key, status from orders');
    } catch {
      // PostgreSQL still recovering: try again
    }
    for (const row of rows ?? []) {
      statusOf.set(row.id, row);
      if (!reference.has(row.id)) reference.set(row.id, Math.max(readyAt, now));
      if (SETTLED.has(row.status) && !settledAt.has(row.id)) settledAt.set(row.id, now);
    }
    for (const client of clients) {
      if (client.orderId && !reference.has(client.orderId))
        reference.set(client.orderId, Math.max(readyAt, client.placedAt ?? now));
    }
    const allSettled = rows !== undefined && placingDone() && [...reference.keys()].every((id) => settledAt.has(id));
    if (allSettled || now > stopAt) break;
    await sleep(250);
  }
  const late: SettleObservation['late'] = [];
  let slowestMs = 0;
  for (const [orderId, from] of reference) {
    const at = settledAt.get(orderId);
    slowestMs = Math.max(slowestMs, (at ?? clock.now()) - from);
    const deadline = from + settleMs;
    if (at === undefined || at > deadline) {
      const row = statusOf.get(orderId);
      late.push({
        orderId,
        key: row?.idempotency_key ?? null,
        deadline,
        settledAt: at,
        status: row?.status ?? 'unseen',
      });
    }
  }
  const allSettledAt = [...reference.keys()].every((id) => settledAt.has(id))
    ? Math.max(readyAt, ...settledAt.values())
    : undefined;
  return { allSettledAt, late, slowestMs };
}

/** What the saga's downstream effects still lack: an empty list means everything has arrived. */
export function missingEffects(snapshot: Snapshot): string[] {
  const expected = expectations(snapshot);
  const missing: string[] = [];
  const count = (label: string, n: number) => {
    if (n > 0) missing.push(`${n} ${label}`);
  };
  count(
    'sales (PAID orders whose lines are not all SOLD)',
    expected.paidOrders.filter((o) => !linesAre(snapshot, o, 'SOLD')).length,
  );
  count('receipts', expected.paidOrders.filter((o) => (expected.receipts.get(o.id) ?? 0) === 0).length);
  count(
    'confirmation notices',
    expected.confirmedOrders.filter((o) => (expected.confirmations.get(o.id) ?? 0) === 0).length,
  );
  count(
    'rejection notices',
    expected.rejectedOrders.filter((o) => (expected.rejectionNotices.get(o.id) ?? 0) === 0).length,
  );
  let credit = 0;
  for (const [customerId, paid] of expected.paidByCustomer) {
    if ((expected.creditByCustomer.get(customerId) ?? 0) < paid) credit += 1;
  }
  count('customers whose credit lacks a payment', credit);
  count(
    'unpublished outbox rows',
    Object.values(snapshot.unpublished).reduce((a, b) => a + b, 0),
  );
  return missing;
}

function expectations(snapshot: Snapshot) {
  const paidOrders = snapshot.orders.filter((o) => o.status === 'PAID');
  const confirmedOrders = snapshot.orders.filter((o) => o.status === 'PAID' || o.status === 'CONFIRMED');
  const rejectedOrders = snapshot.orders.filter((o) => o.status === 'REJECTED');
  const byOrder = (subject: string) => {
    const counts = new Map<string, number>();
    for (const n of snapshot.notifications) {
      if (n.subject !== subject) continue;
      const id = ORDER_ID_IN_BODY.exec(n.body)?.[1]?.toLowerCase() ?? `unparsed:${n.body.slice(0, 40)}`;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };
  const paidByCustomer = new Map<string, number>();
  for (const order of paidOrders)
    paidByCustomer.set(order.customer_id, (paidByCustomer.get(order.customer_id) ?? 0) + 1);
  const creditByCustomer = new Map<string, number>();
  for (const change of snapshot.creditChanges) {
    if (change.reason === 'Payment succeeded')
      creditByCustomer.set(change.customer_id, (creditByCustomer.get(change.customer_id) ?? 0) + 1);
  }
  return {
    paidOrders,
    confirmedOrders,
    rejectedOrders,
    receipts: byOrder('Payment receipt'),
    confirmations: byOrder('Your order is confirmed'),
    rejectionNotices: byOrder('Your order could not be accepted'),
    paidByCustomer,
    creditByCustomer,
  };
}

function linesAre(snapshot: Snapshot, order: OrderRow, status: string): boolean {
  const lines = snapshot.items.filter((item) => item.order_id === order.id);
  const held = snapshot.reservations.filter((r) => r.order_id === order.id);
  return (
    lines.length === held.length &&
    lines.every((line) =>
      held.some((r) => r.product_id === line.product_id && r.quantity === line.quantity && r.status === status),
    )
  );
}

export interface Invariant {
  name: string;
  ok: boolean;
  /** One line: what holds, or what broke and how often. */
  summary: string;
  /** Up to a few examples of what broke. */
  details: string[];
}

const EXAMPLES = 8;
const invariant = (name: string, problems: string[], okSummary: string, badSummary: string): Invariant => ({
  name,
  ok: problems.length === 0,
  summary: problems.length === 0 ? okSummary : badSummary,
  details: problems
    .slice(0, EXAMPLES)
    .concat(problems.length > EXAMPLES ? [`... and ${problems.length - EXAMPLES} more`] : []),
});

export interface CheckInputs {
  snapshot: Snapshot;
  clients: ClientRecord[];
  customers: Customer[];
  products: ProductStock[];
  settle: SettleObservation;
  settleMs: number;
  effectsMissing: string[];
  effectsMs: number;
  deadLetters: DeadLetterSummary[];
  tally: Tally;
  readyViolations: ReadyViolation[];
  readyBudgetMs: number;
  wedges: Wedge[];
  wedgeMs: number;
  clock: Clock;
  /** The saga's steps of some late orders, by order id (see `sagaTimeline`). */
  timelines: Map<string, string>;
  /** Where the late orders waited (see `summarizeWaits`). */
  waits: string[];
}

/** Every invariant of the run, each naming precisely what broke. */
export function checkInvariants(input: CheckInputs): Invariant[] {
  const { snapshot, clients, clock } = input;
  const ordersById = new Map(snapshot.orders.map((o) => [o.id, o]));
  const keyOf = (customerId: string, key: string | null) => `${customerId}/${key}`;
  const ordersByKey = new Map<string, OrderRow[]>();
  for (const order of snapshot.orders) {
    const key = keyOf(order.customer_id, order.idempotency_key);
    ordersByKey.set(key, [...(ordersByKey.get(key) ?? []), order]);
  }
  const clientKeys = new Set(clients.map((c) => keyOf(c.customer.id, c.key)));
  const results: Invariant[] = [];

  // 1. Every client got an order for its key, and that order is the one stored under the key.
  const lost: string[] = [];
  for (const client of clients) {
    const stored = ordersByKey.get(keyOf(client.customer.id, client.key)) ?? [];
    if (!client.orderId) {
      lost.push(
        `${client.key}: no order after ${client.placeAttempts} attempts (${client.gaveUp ?? 'unfinished'}; last: ${client.lastFailure ?? '-'}); ${stored.length} stored under the key`,
      );
    } else if (!stored.some((o) => o.id === client.orderId)) {
      lost.push(
        `${client.key}: the client holds order ${client.orderId}, the order database has ${stored.map((o) => o.id).join(',') || 'nothing'} under its key`,
      );
    }
  }
  results.push(
    invariant(
      'no-order-lost',
      lost,
      `all ${clients.length} clients got their order`,
      `${lost.length} of ${clients.length} clients have no order for their key`,
    ),
  );

  // 2. One order per key, and no order that no client asked for.
  const duplicated: string[] = [];
  for (const [key, orders] of ordersByKey) {
    if (orders.length > 1)
      duplicated.push(`key ${key}: ${orders.length} orders (${orders.map((o) => o.id).join(', ')})`);
    if (!clientKeys.has(key))
      duplicated.push(`order(s) ${orders.map((o) => o.id).join(', ')} under key ${key}, which no client used`);
  }
  results.push(
    invariant(
      'no-order-duplicated',
      duplicated,
      `${snapshot.orders.length} orders for ${clients.length} keys, one each`,
      `${duplicated.length} keys with more than one order, or orders without a client (${snapshot.orders.length} orders for ${clients.length} keys)`,
    ),
  );

  // 3. Every order settled in time.
  const late = [...input.settle.late]
    .sort(
      (a, b) =>
        (b.settledAt ?? Number.POSITIVE_INFINITY) -
        b.deadline -
        ((a.settledAt ?? Number.POSITIVE_INFINITY) - a.deadline),
    )
    .map(
      (o) =>
        `order ${o.orderId} (${o.key}) ${o.settledAt === undefined ? `still ${o.status} at the end` : `settled ${seconds(o.settledAt - o.deadline)} after its deadline (${o.status})`}; deadline ${clock.stamp(o.deadline)}${
          input.timelines.has(o.orderId) ? `\n           its saga: ${input.timelines.get(o.orderId)}` : ''
        }`,
    );
  const unsettled = snapshot.orders.filter((o) => !SETTLED.has(o.status));
  for (const order of unsettled) {
    if (!input.settle.late.some((l) => l.orderId === order.id))
      late.push(`order ${order.id} (${order.idempotency_key}) is ${order.status} at the end`);
  }
  const settledCheck = invariant(
    'every-order-settled',
    late,
    `every order CONFIRMED/PAID/REJECTED/CANCELLED within ${seconds(input.settleMs)} after the last service was ready`,
    `${late.length} orders not settled within ${seconds(input.settleMs)} after the last service was ready (${unsettled.length} still unsettled at the end)`,
  );
  if (!settledCheck.ok) settledCheck.details.unshift(...input.waits);
  results.push(settledCheck);

  // 4. Stock: the product database agrees with itself and with the order database.
  const stock: string[] = [];
  const productRows = new Map(snapshot.products.map((p) => [p.id, p]));
  const sum = (rows: { product_id: string; quantity: number }[], productId: string) =>
    rows.filter((r) => r.product_id === productId).reduce((total, r) => total + r.quantity, 0);
  const itemsOf = (statuses: string[]) =>
    snapshot.items.filter((i) => statuses.includes(ordersById.get(i.order_id)?.status ?? ''));
  for (const product of input.products) {
    const row = productRows.get(product.id);
    if (!row) {
      stock.push(`${product.name}: not in the product database`);
      continue;
    }
    const sold = sum(
      snapshot.reservations.filter((r) => r.status === 'SOLD'),
      product.id,
    );
    const held = sum(
      snapshot.reservations.filter((r) => r.status === 'RESERVED'),
      product.id,
    );
    const paidUnits = sum(itemsOf(['PAID']), product.id);
    const confirmedUnits = sum(itemsOf(['CONFIRMED']), product.id);
    const label = `${product.name} (initial ${product.initialStock})`;
    if (row.on_hand !== product.initialStock - sold)
      stock.push(`${label}: on_hand ${row.on_hand}, but initial - SOLD reservations = ${product.initialStock - sold}`);
    if (row.reserved !== held) stock.push(`${label}: reserved ${row.reserved}, but RESERVED reservations hold ${held}`);
    if (sold !== paidUnits) stock.push(`${label}: ${sold} units SOLD, but PAID orders have ${paidUnits}`);
    if (held !== confirmedUnits)
      stock.push(`${label}: ${held} units RESERVED, but CONFIRMED orders have ${confirmedUnits}`);
    if (row.on_hand < 0 || row.reserved < 0 || row.reserved > row.on_hand)
      stock.push(`${label}: impossible stock on_hand ${row.on_hand}, reserved ${row.reserved}`);
  }
  const rejected = new Set(snapshot.rejections.map((r) => r.order_id));
  for (const order of snapshot.orders) {
    const holding = snapshot.reservations.filter((r) => r.order_id === order.id && r.status !== 'RELEASED');
    if (order.status === 'PAID' && !linesAre(snapshot, order, 'SOLD'))
      stock.push(`PAID order ${order.id}: its lines are not exactly SOLD (${describeHolding(snapshot, order.id)})`);
    if (order.status === 'CONFIRMED' && !linesAre(snapshot, order, 'RESERVED'))
      stock.push(
        `CONFIRMED order ${order.id}: its lines are not exactly RESERVED (${describeHolding(snapshot, order.id)})`,
      );
    if ((order.status === 'REJECTED' || order.status === 'CANCELLED') && holding.length > 0)
      stock.push(`${order.status} order ${order.id} still holds stock (${describeHolding(snapshot, order.id)})`);
    if (order.status === 'REJECTED' && !rejected.has(order.id))
      stock.push(`REJECTED order ${order.id} has no reservation_rejections row`);
  }
  const orphans = new Set(snapshot.reservations.filter((r) => !ordersById.has(r.order_id)).map((r) => r.order_id));
  for (const orderId of orphans)
    stock.push(`reservations for order ${orderId}, which the order database does not have`);
  results.push(
    invariant(
      'stock-exact',
      stock,
      `stock of ${input.products.length} products matches the reservations, sales and orders exactly`,
      `${stock.length} stock mismatches`,
    ),
  );

  // 5. One charge per paid order.
  const charges: string[] = [];
  const paymentsOf = new Map<string, PaymentRow[]>();
  for (const payment of snapshot.payments)
    paymentsOf.set(payment.order_id, [...(paymentsOf.get(payment.order_id) ?? []), payment]);
  for (const order of snapshot.orders) {
    const succeeded = (paymentsOf.get(order.id) ?? []).filter((p) => p.status === 'SUCCEEDED');
    if (order.status === 'PAID' && succeeded.length !== 1)
      charges.push(`PAID order ${order.id} has ${succeeded.length} SUCCEEDED payments`);
    if (order.status !== 'PAID' && succeeded.length > 0)
      charges.push(`${order.status} order ${order.id} has ${succeeded.length} SUCCEEDED payments`);
    for (const payment of succeeded) {
      if (Number(payment.amount) !== Number(order.total_amount))
        charges.push(
          `order ${order.id}: payment ${payment.id} of ${payment.amount}, order total ${order.total_amount}`,
        );
    }
  }
  const failedPayments = snapshot.payments.filter((p) => p.status === 'FAILED');
  if (failedPayments.length > 0)
    charges.push(`${failedPayments.length} FAILED payments, though every payment used tok_visa`);
  for (const client of clients) {
    if (!client.paymentId) continue;
    const payment = snapshot.payments.find((p) => p.id === client.paymentId);
    if (payment?.status !== 'SUCCEEDED' || ordersById.get(client.orderId ?? '')?.status !== 'PAID')
      charges.push(
        `${client.key}: told payment ${client.paymentId} SUCCEEDED, stored ${payment?.status ?? 'nothing'}, order ${ordersById.get(client.orderId ?? '')?.status ?? 'missing'}`,
      );
  }
  const paidCount = snapshot.orders.filter((o) => o.status === 'PAID').length;
  results.push(
    invariant(
      'one-charge-per-paid-order',
      charges,
      `${paidCount} PAID orders, one SUCCEEDED payment each`,
      `${charges.length} charge problems`,
    ),
  );

  // 6. Credit: one +5 change per successful payment, per customer, and the score to match.
  const expected = expectations(snapshot);
  const credit: string[] = [];
  const statuses = new Map(snapshot.creditStatuses.map((s) => [s.customer_id, s.score]));
  for (const customer of input.customers) {
    const paid = expected.paidByCustomer.get(customer.id) ?? 0;
    const changes = snapshot.creditChanges.filter((c) => c.customer_id === customer.id);
    const succeeded = changes.filter((c) => c.reason === 'Payment succeeded').length;
    if (succeeded !== paid)
      credit.push(`customer ${customer.id}: ${succeeded} 'Payment succeeded' score changes for ${paid} PAID orders`);
    const others = changes.filter((c) => c.reason !== 'Payment succeeded');
    if (others.length > 0)
      credit.push(
        `customer ${customer.id}: unexpected score changes ${others.map((c) => `${c.reason} ${c.delta}`).join(', ')}`,
      );
    const score = statuses.get(customer.id);
    const wanted = INITIAL_SCORE + changes.reduce((total, c) => total + c.delta, 0);
    if (paid > 0 && score === undefined) credit.push(`customer ${customer.id}: no credit status, ${paid} PAID orders`);
    if (score !== undefined && score !== wanted)
      credit.push(`customer ${customer.id}: score ${score}, but ${INITIAL_SCORE} + its changes = ${wanted}`);
  }
  results.push(
    invariant(
      'credit-once-per-payment',
      credit,
      `every payment moved its customer's score exactly once (${snapshot.creditChanges.length} changes)`,
      `${credit.length} credit mismatches`,
    ),
  );

  // 7. Notifications: one receipt per payment, one confirmation or rejection notice per order.
  const notices: string[] = [];
  const once = (label: string, counts: Map<string, number>, orders: OrderRow[]) => {
    const wanted = new Set(orders.map((o) => o.id));
    for (const order of orders) {
      const n = counts.get(order.id) ?? 0;
      if (n !== 1) notices.push(`${order.status} order ${order.id}: ${n} '${label}' notifications`);
    }
    for (const [orderId, n] of counts)
      if (!wanted.has(orderId))
        notices.push(
          `${n} '${label}' notifications for ${ordersById.get(orderId)?.status ?? 'unknown'} order ${orderId}`,
        );
  };
  once('Payment receipt', expected.receipts, expected.paidOrders);
  once('Your order is confirmed', expected.confirmations, expected.confirmedOrders);
  once('Your order could not be accepted', expected.rejectionNotices, expected.rejectedOrders);
  results.push(
    invariant(
      'notifications-once',
      notices,
      `${expected.paidOrders.length} receipts, ${expected.confirmedOrders.length} confirmations, ${expected.rejectedOrders.length} rejection notices, one each`,
      `${notices.length} orders without exactly one notification of a kind`,
    ),
  );

  // The effects above had a deadline; say so when they were still arriving.
  if (input.effectsMissing.length > 0) {
    results.push(
      invariant(
        'effects-arrived',
        [`still missing ${seconds(input.effectsMs)} after settling: ${input.effectsMissing.join('; ')}`],
        '',
        'downstream effects still missing at the deadline',
      ),
    );
  }

  // 8. No dead letters.
  results.push(
    invariant(
      'no-dead-letters',
      input.deadLetters.map(
        (l) =>
          `${l.subject} (${l.consumer ?? '?'}, event ${l.eventId ?? '?'}, ${l.deliveryCount ?? '?'} deliveries): ${l.error ?? ''}`,
      ),
      'DEAD_LETTERS is empty',
      `${input.deadLetters.length} dead letters`,
    ),
  );

  // 9. No "socket hang up": not in any response, and no connection the gateway dropped.
  const hangUps = [
    ...input.tally.hangUpResponses.map((r) => `response mentions it: ${r}`),
    ...input.tally.gatewayDrops.map((d) => `the gateway dropped the connection: ${d}`),
  ];
  results.push(
    invariant(
      'no-socket-hang-up',
      hangUps,
      'no response mentions "socket hang up" and the gateway never hung up',
      `${hangUps.length} hang-ups`,
    ),
  );

  // 10. /ready always answers within the budget: per service how often and how badly, then the worst requests.
  const slowness = (v: ReadyViolation) => (v.answer.outcome === 'timeout' ? Number.POSITIVE_INFINITY : v.answer.ms);
  const perService = new Map<string, ReadyViolation[]>();
  for (const v of input.readyViolations) perService.set(v.service, [...(perService.get(v.service) ?? []), v]);
  const describeReady = (v: ReadyViolation) =>
    `${v.service} (generation ${v.generation}) at ${clock.stamp(v.at)}: ${v.answer.outcome} after ${v.answer.ms} ms${v.answer.status ? ` (HTTP ${v.answer.status} ${v.answer.body?.slice(0, 160) ?? ''})` : ''}${v.answer.error ? ` (${v.answer.error})` : ''}`;
  const readyCheck = invariant(
    'ready-answers-in-time',
    [...input.readyViolations].sort((a, b) => slowness(b) - slowness(a)).map(describeReady),
    `every /ready answered within ${input.readyBudgetMs} ms`,
    `${input.readyViolations.length} /ready requests took over ${input.readyBudgetMs} ms or got no answer (${[
      ...perService,
    ]
      .map(([service, list]) => `${service} ${list.length}x, worst ${Math.max(...list.map((v) => v.answer.ms))} ms`)
      .join('; ')})`,
  );
  results.push(readyCheck);

  // 11. Every service came back by itself.
  results.push(
    invariant(
      'services-recover',
      input.wedges.map(
        (w) =>
          `${w.service} (generation ${w.generation}, pid ${w.pid}) not recovered at ${clock.stamp(w.at)}: ${w.facts[0] ?? ''}`,
      ),
      'every service was ready again after every fault without help',
      `${input.wedges.length} times a service was not ready ${seconds(input.wedgeMs)} after PostgreSQL and NATS were back (killed and restarted by the suite to go on)`,
    ),
  );
  return results;
}

function describeHolding(snapshot: Snapshot, orderId: string): string {
  const lines = snapshot.items
    .filter((i) => i.order_id === orderId)
    .map((i) => `${i.product_id.slice(0, 8)}x${i.quantity}`);
  const held = snapshot.reservations
    .filter((r) => r.order_id === orderId)
    .map((r) => `${r.product_id.slice(0, 8)}x${r.quantity} ${r.status}`);
  return `lines ${lines.join(' ') || 'none'}; reservations ${held.join(' ') || 'none'}`;
}

/** The late orders worth a timeline: the latest first. */
export function latestOrders(settle: SettleObservation, count: number): string[] {
  return [...settle.late]
    .sort(
      (a, b) =>
        (b.settledAt ?? Number.POSITIVE_INFINITY) -
        b.deadline -
        ((a.settledAt ?? Number.POSITIVE_INFINITY) - a.deadline),
    )
    .slice(0, count)
    .map((o) => o.orderId);
}

const at = (clock: Clock, epochMs: number | null | undefined) =>
  epochMs === null || epochMs === undefined ? 'never' : clock.stamp(clock.fromWall(Number(epochMs)));
const epoch = (column: string) => `(extract(epoch from ${column}) * 1000)::float8 as ${column}`;

/** One late order's saga: a readable line, and the stages it spent its time in. */
export interface SagaTrace {
  text: string;
  stages: { name: string; ms: number }[];
}

/**
 * Where an order's saga spent its time, from what the services stored: the order row, the created
 * event in the order outbox, the product subgraph's inbox and its answer, the order subgraph's inbox.
 * An outbox row may be marked published after its consumer already handled it (a publish whose
 * acknowledgement was lost is repeated); the wait is then put on the outbox side up to the handling.
 */
export async function sagaTimeline(db: Databases, clock: Clock, orderId: string): Promise<SagaTrace> {
  type Outbox = {
    id: string;
    subject: string;
    created_at: number;
    published_at: number | null;
    attempts: number;
    last_error: string | null;
  };
  const outboxSql = `select id, subject, ${epoch('created_at')}, ${epoch('published_at')}, attempts, last_error
                       from outbox_messages where payload->'data'->>'orderId' = ? and subject like ? order by created_at`;
  const handledSql = `select consumer, ${epoch('handled_at')} from inbox_messages where event_id = ? order by handled_at`;
  const [order] = await db.query<{
    status: string;
    created_at: number;
    updated_at: number;
    confirmed_at: number | null;
  }>(
    DB.order,
    `select status, ${epoch('created_at')}, ${epoch('updated_at')}, ${epoch('confirmed_at')} from orders where id = ?`,
    [orderId],
  );
  const steps = [`placed ${at(clock, order?.created_at)}`];
  const stages: SagaTrace['stages'] = [];
  const follow = async (row: Outbox, consumerDb: string, by: string): Promise<number | undefined> => {
    const [handled] = await db.query<{ consumer: string; handled_at: number }>(consumerDb, handledSql, [row.id]);
    const published = row.published_at === null ? undefined : Number(row.published_at);
    const handledAt = handled ? Number(handled.handled_at) : undefined;
    steps.push(
      `${row.subject} marked published ${at(clock, published)}${row.attempts > 1 ? ` after ${row.attempts} attempts${row.last_error ? ` (last error: ${row.last_error.slice(0, 80)})` : ''}` : ''}`,
      handledAt !== undefined ? `handled by ${by} ${at(clock, handledAt)}` : `not handled by ${by}`,
    );
    const created = Number(row.created_at);
    const end = handledAt ?? Date.now();
    const sent = published !== undefined && published <= end ? published : end;
    stages.push({
      name: `${row.subject} waiting in the ${row.subject.split('.')[0] === 'orders' ? 'order' : 'product'} outbox`,
      ms: sent - created,
    });
    stages.push({ name: `${row.subject} published, waiting for the ${by} subgraph to handle it`, ms: end - sent });
    return handledAt;
  };
  for (const row of await db.query<Outbox>(DB.order, outboxSql, [orderId, 'orders.order.created.v1']))
    await follow(row, DB.product, 'product');
  for (const row of await db.query<Outbox>(DB.product, outboxSql, [orderId, 'inventory.reservation.%']))
    await follow(row, DB.order, 'order');
  const settled = order?.confirmed_at ?? (order?.status === 'REJECTED' ? order.updated_at : null);
  steps.push(
    `${order?.status ?? 'missing'}${settled !== null && settled !== undefined ? ` at ${at(clock, settled)}` : ''}`,
  );
  return { text: steps.join(' -> '), stages };
}

/** Where late orders spent the longest part of their wait: each stage, how many orders and the longest wait. */
export function summarizeWaits(traces: SagaTrace[]): string[] {
  const byStage = new Map<string, { count: number; maxMs: number }>();
  for (const trace of traces) {
    const slowest = [...trace.stages].sort((a, b) => b.ms - a.ms)[0];
    if (!slowest) continue;
    const entry = byStage.get(slowest.name) ?? { count: 0, maxMs: 0 };
    entry.count += 1;
    entry.maxMs = Math.max(entry.maxMs, slowest.ms);
    byStage.set(slowest.name, entry);
  }
  return [...byStage]
    .sort((a, b) => b[1].count - a[1].count)
    .map(
      ([stage, { count, maxMs }]) =>
        `${count} late order${count === 1 ? '' : 's'} spent most of the wait on: ${stage} (up to ${seconds(maxMs)})`,
    );
}

/** Waits until the sales, scores and notifications have all arrived and every consumer is idle. */
export async function drainEffects(
  db: Databases,
  nats: NatsTarget,
  clock: Clock,
  timeoutMs: number,
): Promise<{ missing: string[]; tookMs: number }> {
  const started = clock.now();
  let missing: string[] = ['not looked yet'];
  while (clock.now() - started < timeoutMs) {
    try {
      missing = missingEffects(await readSnapshotPatiently(db, 5000));
      const busy = (await consumerStates(nats)).filter((c) => c.durable && (c.pending > 0 || c.ackPending > 0));
      missing.push(
        ...busy.map(
          (c) =>
            `consumer ${c.stream}/${c.name}: ${c.pending} undelivered, ${c.ackPending} unacknowledged (${c.redelivered} redelivered)`,
        ),
      );
    } catch (error) {
      missing = [`cannot look: ${(error as Error).message}`];
    }
    if (missing.length === 0) break;
    await sleep(500);
  }
  const tookMs = clock.now() - started;
  // A moment more, so a late duplicate has a chance to show up before the verdict.
  await sleep(1000);
  return { missing, tookMs };
}
