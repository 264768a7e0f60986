import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { operation } from '../support/operations.ts';
import type { ProductStock } from './checks.ts';
import type { Clock } from './clock.ts';
import type { FaultConfig } from './config.ts';
import type { Random } from './random.ts';

/**
 * The suite's clients: the frontends' operations (gateway/operations) sent to the gateway over
 * plain HTTP, one connection per request (a reused keep-alive connection the server has just
 * closed would look like a hang-up that is not the gateway's fault).
 */
const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

export interface GraphQLBody {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export type Exchange =
  | { kind: 'answer'; status: number; body: GraphQLBody; text: string }
  | { kind: 'failure'; reason: string; text?: string };

/** Counts of what went wrong, by a short reason, plus the responses and drops the suite forbids. */
export class Tally {
  readonly attempts = new Map<string, number>();
  readonly failures = new Map<string, Map<string, number>>();
  /** Responses whose text mentions "socket hang up", with the request id. */
  readonly hangUpResponses: string[] = [];
  /** The gateway (never killed) closed a client's connection without an answer. */
  readonly gatewayDrops: string[] = [];
  readonly timeouts = new Map<string, number>();

  attempt(op: string): void {
    this.attempts.set(op, (this.attempts.get(op) ?? 0) + 1);
  }

  fail(op: string, reason: string): void {
    const byReason = this.failures.get(op) ?? new Map<string, number>();
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    this.failures.set(op, byReason);
  }

  failureCount(op: string): number {
    return [...(this.failures.get(op)?.values() ?? [])].reduce((sum, n) => sum + n, 0);
  }
}

export class GatewayClient {
  private readonly port: number;
  private readonly timeoutMs: number;
  readonly tally: Tally;

  constructor(port: number, timeoutMs: number, tally: Tally) {
    this.port = port;
    this.timeoutMs = timeoutMs;
    this.tally = tally;
  }

  /** One attempt of one operation; never throws: a failure says why in a few words. */
  send(
    name: string,
    variables: Record<string, unknown>,
    token: string | undefined,
    requestId: string,
  ): Promise<Exchange> {
    this.tally.attempt(name);
    const payload = JSON.stringify({ query: operation(name), variables });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
      'x-request-id': requestId,
    };
    if (token) headers.authorization = `Bearer ${token}`;
    return new Promise<Exchange>((resolve) => {
      let settled = false;
      const finish = (exchange: Exchange) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (/socket hang up/i.test(exchange.kind === 'answer' ? exchange.text : (exchange.text ?? ''))) {
          this.tally.hangUpResponses.push(
            `${requestId}: ${excerpt(exchange.kind === 'answer' ? exchange.text : (exchange.text ?? ''))}`,
          );
        }
        resolve(exchange);
      };
      const req = request(
        { host: '127.0.0.1', port: this.port, path: '/graphql', method: 'POST', headers, agent },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('error', (error) => {
            this.tally.gatewayDrops.push(`${requestId}: response cut: ${error.message}`);
            finish({ kind: 'failure', reason: `response cut (${error.message})`, text });
          });
          res.on('end', () => {
            let body: GraphQLBody;
            try {
              body = JSON.parse(text) as GraphQLBody;
            } catch {
              finish({ kind: 'failure', reason: `HTTP ${res.statusCode}, not JSON`, text });
              return;
            }
            finish({ kind: 'answer', status: res.statusCode ?? 0, body, text });
          });
        },
      );
      const timer = setTimeout(() => {
        this.tally.timeouts.set(name, (this.tally.timeouts.get(name) ?? 0) + 1);
        finish({ kind: 'failure', reason: `no answer in ${this.timeoutMs} ms` });
        req.destroy();
      }, this.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return;
        // The gateway is never killed: a connection it drops without an answer is its fault.
        if (error.code === 'ECONNRESET' || /socket hang up/i.test(error.message)) {
          this.tally.gatewayDrops.push(`${requestId}: ${error.message}`);
        }
        finish({ kind: 'failure', reason: `network: ${error.code ?? error.message}` });
      });
      req.end(payload);
    });
  }
}

const excerpt = (text: string) => {
  const at = text.search(/socket hang up/i);
  return text.slice(Math.max(0, at - 120), at + 60).replace(/\s+/g, ' ');
};

/** A short reason for an answer that is not what the client wanted. */
export function describeAnswer(exchange: Exchange, payloadField: string): string {
  if (exchange.kind === 'failure') return exchange.reason;
  const errors = exchange.body.errors ?? [];
  if (errors.length > 0) {
    const first = errors[0];
    return `HTTP ${exchange.status} ${first?.extensions?.code ?? 'no code'}: ${first?.message.slice(0, 80)}`;
  }
  const userErrors = (exchange.body.data?.[payloadField]?.userErrors ?? []) as { code: string }[];
  if (userErrors.length > 0) return `user error ${userErrors.map((e) => e.code).join(',')}`;
  return `HTTP ${exchange.status}, no ${payloadField} result`;
}

export interface Customer {
  id: string;
  token: string;
}

export type Line = { productId: string; quantity: number };

/** What one retrying client did and got. */
export interface ClientRecord {
  index: number;
  key: string;
  customer: Customer;
  items: Line[];
  wantsToPay: boolean;
  startedAt: number;
  placeAttempts: number;
  /** Clock time the client first held its order. */
  placedAt?: number;
  orderId?: string;
  lastFailure?: string;
  /** Why the client stopped without reaching its goal (bounded retries). */
  gaveUp?: string;
  /** The status the client last saw while polling. */
  seenStatus?: string;
  payAttempts: number;
  /** The payment the client was told succeeded. */
  paymentId?: string;
  paidAt?: number;
  doneAt?: number;
}

export interface ClientSettings {
  deadlineMs: number;
  pollMs: number;
  payDelayMaxMs: number;
  /** Every key of this run starts with it, so keys never collide across runs. */
  keyPrefix: string;
}

const backoff = (attempt: number, random: Random) => Math.min(150 * 1.6 ** attempt, 2000) * random.between(0.5, 1);

/**
 * One shopper's checkout: place the order with its own idempotency key, retrying every failure or
 * timeout with the same key until it gets an order (bounded); if it meant to pay, poll until the
 * saga settles the order, and pay a CONFIRMED one with tok_visa, retrying with one payment key.
 */
export async function runClient(
  client: GatewayClient,
  record: ClientRecord,
  settings: ClientSettings,
  clock: Clock,
  random: Random,
  stopped: () => boolean,
): Promise<ClientRecord> {
  const deadline = record.startedAt + settings.deadlineMs;
  const outOfTime = () => clock.now() > deadline || stopped();

  for (let attempt = 0; ; attempt++) {
    if (outOfTime()) {
      record.gaveUp = `no order after ${record.placeAttempts} attempts in ${Math.round(clock.now() - record.startedAt)} ms`;
      record.doneAt = clock.now();
      return record;
    }
    record.placeAttempts += 1;
    const exchange = await client.send(
      'PlaceOrder',
      { input: { items: record.items, idempotencyKey: record.key } },
      record.customer.token,
      `${record.key}-place-${record.placeAttempts}`,
    );
    const order = exchange.kind === 'answer' ? exchange.body.data?.placeOrder?.order : undefined;
    if (order?.id) {
      record.orderId = order.id as string;
      record.seenStatus = order.status as string;
      record.placedAt = clock.now();
      break;
    }
    record.lastFailure = describeAnswer(exchange, 'placeOrder');
    client.tally.fail('PlaceOrder', record.lastFailure);
    await sleep(backoff(attempt, random));
  }

  if (!record.wantsToPay) {
    record.doneAt = clock.now();
    return record;
  }

  // Poll as a frontend does until the saga has settled the order.
  for (let attempt = 0; record.seenStatus === 'PENDING' || record.seenStatus === undefined; attempt++) {
    if (outOfTime()) {
      record.gaveUp = `order ${record.orderId} still ${record.seenStatus ?? 'unseen'} when the client's time ran out`;
      record.doneAt = clock.now();
      return record;
    }
    await sleep(settings.pollMs * random.between(0.7, 1.3));
    const exchange = await client.send(
      'Order',
      { id: record.orderId },
      record.customer.token,
      `${record.key}-poll-${attempt + 1}`,
    );
    // Partial data (say, the product subgraph is down) still carries the status.
    const status = exchange.kind === 'answer' ? exchange.body.data?.order?.status : undefined;
    if (status) {
      record.seenStatus = status as string;
      if (exchange.kind === 'answer' && exchange.body.errors?.length)
        client.tally.fail('Order (status with errors)', describeAnswer(exchange, 'order'));
    } else {
      record.lastFailure = describeAnswer(exchange, 'order');
      client.tally.fail('Order', record.lastFailure);
    }
  }
  if (record.seenStatus !== 'CONFIRMED') {
    record.doneAt = clock.now();
    return record;
  }

  await sleep(random.between(0, settings.payDelayMaxMs));
  const paymentKey = `${record.key}-pay`;
  for (let attempt = 0; ; attempt++) {
    if (outOfTime()) {
      record.gaveUp = `payment of ${record.orderId} not confirmed after ${record.payAttempts} attempts`;
      record.doneAt = clock.now();
      return record;
    }
    record.payAttempts += 1;
    const exchange = await client.send(
      'PayOrder',
      { input: { orderId: record.orderId, paymentToken: 'tok_visa', idempotencyKey: paymentKey } },
      record.customer.token,
      `${record.key}-pay-${record.payAttempts}`,
    );
    const payload = exchange.kind === 'answer' ? exchange.body.data?.payOrder : undefined;
    if (payload?.payment?.status === 'SUCCEEDED') {
      record.paymentId = payload.payment.id as string;
      record.seenStatus = (payload.order?.status as string | undefined) ?? record.seenStatus;
      record.paidAt = clock.now();
      record.doneAt = clock.now();
      return record;
    }
    record.lastFailure = describeAnswer(exchange, 'payOrder');
    client.tally.fail('PayOrder', record.lastFailure);
    await sleep(backoff(attempt, random));
  }
}

/** The run's shoppers as they arrive, and what became of each. */
export interface Load {
  /** Clock time the first client started. */
  startedAt: number;
  records: ClientRecord[];
  runs: Promise<ClientRecord>[];
  /** Clock time the last client started. */
  lastClientAt: number;
  /** Resolves once every client has started (not finished: see `runs`). */
  done: Promise<void>;
}

/**
 * Starts `cfg.orders` retrying clients at `cfg.rate` per second, each with one to three random
 * products and its own idempotency key; `clientFor(i)` says which gateway client i talks to.
 */
export function startLoad(options: {
  cfg: Pick<FaultConfig, 'orders' | 'rate' | 'seed' | 'payShare' | 'clientDeadlineMs'>;
  products: ProductStock[];
  customers: Customer[];
  random: Random;
  clock: Clock;
  clientFor: (index: number) => GatewayClient;
  stopped: () => boolean;
}): Load {
  const { cfg, products, customers, random, clock } = options;
  const startedAt = clock.now();
  const load: Load = { startedAt, records: [], runs: [], lastClientAt: startedAt, done: Promise.resolve() };
  load.done = (async () => {
    for (let i = 0; i < cfg.orders; i++) {
      const due = startedAt + (i * 1000) / cfg.rate;
      if (due > clock.now()) await sleep(due - clock.now());
      if (options.stopped()) return;
      const lines = random.shuffle(products).slice(0, random.int(1, Math.min(3, products.length)));
      const record: ClientRecord = {
        index: i,
        key: `faults-${cfg.seed}-${i + 1}`,
        customer: customers[i % customers.length] as Customer,
        items: lines.map((p): Line => ({ productId: p.id, quantity: random.int(1, 3) })),
        wantsToPay: random.chance(cfg.payShare),
        startedAt: clock.now(),
        placeAttempts: 0,
        payAttempts: 0,
      };
      load.records.push(record);
      load.lastClientAt = clock.now();
      load.runs.push(
        runClient(
          options.clientFor(i),
          record,
          { deadlineMs: cfg.clientDeadlineMs, pollMs: 700, payDelayMaxMs: 3000, keyPrefix: `faults-${cfg.seed}` },
          clock,
          random.fork(`client-${i}`),
          options.stopped,
        ),
      );
    }
  })();
  return load;
}
