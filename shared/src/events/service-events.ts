import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { NatsAuth } from '../nats-config.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import { timedHandler } from '../observability/service-collectors.js';
import type { SubscribeOptions } from './bus.js';
import { accepting, type ConsumedEvent } from './consumed-event.js';
import { type GroupHandlerOf, type GroupLockOf, pruneHandled, type TransactionalHandler, withInbox } from './inbox.js';
import { JetStreamEventBus, type JetStreamEventBusOptions } from './jetstream/bus.js';
import type { StreamSpec } from './jetstream/streams.js';
import { databasePositions } from './positions.js';
import { OutboxRelay, type OutboxRelayOptions } from './relay.js';

export interface ServiceEventsOptions {
  service: string;
  natsUrl: string;
  /** NATS credentials and TLS (NATS_USER, NATS_TLS_CA_FILE, ...). */
  natsAuth?: NatsAuth;
  orm: MikroORM;
  log: Logger;
  /** The streams this service publishes to (it owns them). */
  streams?: StreamSpec[];
  /** NATS_STREAM_REPLICAS: copies of each of those streams across a JetStream cluster. Default 1. */
  streamReplicas?: number;
  bus?: Omit<JetStreamEventBusOptions, 'url' | 'auth' | 'service' | 'log' | 'streams' | 'streamReplicas' | 'positions'>;
  relay?: Omit<OutboxRelayOptions, 'log'>;
  /** How long shutdown may spend publishing what is still in the outbox. Default 5 s. */
  shutdownFlushMs?: number;
  /**
   * Handled-event rows are kept at least this long (default 7 days), then pruned hourly, but never
   * above their consumer's recorded position (see positions.ts).
   */
  inboxRetentionMs?: number;
  /** Where handling latency and dead letters are counted; none in tests that do not look. */
  metrics?: ServiceMetrics;
}

const HOUR = 3_600_000;

/** How a line is consumed: the bus's options, and what a group of its messages does (inbox-groups.ts). */
export interface SubscriptionOptions<TData = any> extends SubscribeOptions {
  /** See GroupLock: for handlers that lock rows another subscription locks too. */
  lockFirst?: GroupLockOf<TData>;
  /** See GroupHandler: the handler's work for a whole group at once. */
  handleGroup?: GroupHandlerOf<TData>;
  /**
   * See Linger: for a subscription no reader waits on, how long an idle consumer holds a message
   * for others to share its transaction (up to `concurrency` of them). Default 0: at once.
   */
  lingerMs?: number;
}

/**
 * A subscription's linger: it ends once as many messages wait as the consumer hands out at once
 * (its concurrency, as the bus defaults it), or it would hold a burst's full groups to the timer.
 */
export function lingerOf({ lingerMs, concurrency }: Pick<SubscriptionOptions, 'lingerMs' | 'concurrency'>) {
  return lingerMs ? { ms: lingerMs, upTo: concurrency ?? 1 } : undefined;
}

/** One line of a service's registration list: an event it consumes (subject, source, schema) and its handler. */
export interface Subscription {
  event: ConsumedEvent<string, any>;
  /** Any payload: a list mixes handlers of different events; `on` types each line. */
  handler: TransactionalHandler<any>;
  options?: SubscriptionOptions;
}

/**
 * A typed line of a registration list: the handler gets the payload the consumed contract's schema
 * declares, and only once an envelope passed it (anything else is dead-lettered at once, unapplied).
 */
export const on = <TData>(
  event: ConsumedEvent<string, TData>,
  handler: TransactionalHandler<TData>,
  options?: SubscriptionOptions<TData>,
): Subscription => ({ event, handler, options });

/** A service's whole event plumbing: the JetStream bus, its outbox relay and inbox-wrapped consumers. */
export interface ServiceEvents {
  readonly bus: JetStreamEventBus;
  readonly relay: OutboxRelay;
  /** Connects in the background and starts the relay; does not wait for NATS. */
  start(): void;
  /**
   * A durable consumer per line: each envelope is checked against the line's contract first (a
   * refused one never reaches the inbox), then handled in its own transaction, behind the inbox.
   */
  subscribe(subscriptions: readonly Subscription[]): Promise<void>;
  /**
   * Resolves true once an event committed to the outbox is stored on the bus, false after
   * `timeoutMs` or at once while NATS is away (the event then goes out later; nothing fails).
   */
  whenPublished(eventId: string, timeoutMs: number): Promise<boolean>;
  /** Rejects while NATS is away. Not a readiness check: writes wait in the outbox meanwhile. */
  check(): Promise<void>;
  /** For `/health`: the NATS connection, and since when it is in that state. */
  state(): { status: 'connected' | 'disconnected'; since: string };
  /** Drains consumers, flushes the outbox (bounded), closes the connection. The ORM stays open. */
  stop(): Promise<void>;
}

export function createServiceEvents(options: ServiceEventsOptions): ServiceEvents {
  const log = options.log.child({ component: 'events' });
  const bus = new JetStreamEventBus({
    ...options.bus,
    url: options.natsUrl,
    auth: options.natsAuth,
    service: options.service,
    log,
    streams: options.streams,
    streamReplicas: options.streamReplicas,
    positions: databasePositions(options.orm),
    onDeadLetter: ({ consumer, subject }) => options.metrics?.deadLetters.inc({ consumer, subject }),
  });
  const relay = new OutboxRelay(options.orm, bus, {
    onPublished: (duplicate) => options.metrics?.outboxPublished.inc({ result: duplicate ? 'duplicate' : 'stored' }),
    ...options.relay,
    log,
  });
  // Whatever piled up while NATS was away goes out as soon as it is back, not at the next sweep.
  bus.onConnected(() => relay.kick());
  const retention = options.inboxRetentionMs ?? 7 * 24 * HOUR;
  let pruning: NodeJS.Timeout | undefined;
  const pruneInbox = () =>
    pruneHandled(options.orm.em.fork(), retention)
      .then((count) => count > 0 && log.info({ count }, 'pruned handled inbox rows'))
      .catch((error: unknown) => log.warn({ err: error }, 'inbox prune failed'));
  return {
    bus,
    relay,
    start() {
      bus.start();
      relay.start();
      pruning = setInterval(pruneInbox, HOUR).unref();
    },
    async subscribe(subscriptions) {
      for (const {
        event,
        handler,
        options: { lockFirst, handleGroup, lingerMs, ...subscribeOptions } = {},
      } of subscriptions) {
        const linger = lingerOf({ lingerMs, ...subscribeOptions });
        const inboxed = withInbox(options.orm, handler, { lockFirst, handleGroup, linger });
        const observed = options.metrics ? timedHandler(options.metrics, inboxed) : inboxed;
        await bus.subscribe(event.subject, accepting(event, observed), subscribeOptions);
      }
    },
    async whenPublished(eventId, timeoutMs) {
      if (!bus.isConnected()) return false;
      return relay.whenPublished(eventId, timeoutMs);
    },
    async check() {
      if (!bus.isConnected()) throw new Error('NATS is not connected');
    },
    state() {
      return bus.connectionState();
    },
    async stop() {
      clearInterval(pruning);
      // Consumers first: a handler finishing now may still write events to the outbox.
      await bus.stopConsumers();
      await relay.stop(options.shutdownFlushMs ?? 5_000);
      await bus.close();
    },
  };
}
