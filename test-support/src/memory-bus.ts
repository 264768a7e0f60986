import {
  consumerName,
  type DeadLetter,
  type EventBus,
  type EventHandler,
  type PublishResult,
  type RetryPolicy,
  retryPolicy,
  type SubscribeOptions,
} from '@commerce-supergraph/shared/events/bus';
import { dispatch } from '@commerce-supergraph/shared/events/dispatch';
import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { Logger } from 'pino';
import { pino } from 'pino';

export interface InMemoryEventBusOptions {
  service: string;
  log?: Logger;
  /** Defaults for every subscription; each subscribe call may override. */
  retry?: Partial<RetryPolicy>;
}

interface Stored {
  subject: string;
  payload: string;
}

/**
 * The bus in one process, for unit tests of handlers and publishers: same contract as JetStream
 * (dedupe by id, durable consumers from the oldest event, backoff, dead letters), no server.
 */
export class InMemoryEventBus implements EventBus {
  readonly deadLetters: DeadLetter[] = [];
  private readonly stored: Stored[] = [];
  private readonly ids = new Set<string>();
  private readonly consumers = new Map<string, MemoryConsumer>();
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly options: InMemoryEventBusOptions) {
    this.log = options.log ?? pino({ level: 'silent' });
  }

  async publish(envelope: EventEnvelope): Promise<PublishResult> {
    if (this.closed) throw new Error('the bus is closed');
    if (this.ids.has(envelope.id)) return { duplicate: true };
    this.ids.add(envelope.id);
    // Stored serialised, like on the wire: a handler never shares an object with the publisher.
    this.stored.push({ subject: envelope.type, payload: JSON.stringify(envelope) });
    for (const consumer of this.consumers.values()) consumer.wake();
    return { duplicate: false };
  }

  async subscribe(subject: string, handler: EventHandler, options: SubscribeOptions = {}): Promise<void> {
    const name = options.name ?? consumerName(this.options.service, subject);
    if (this.consumers.has(name)) throw new Error(`consumer ${name} is already running`);
    const consumer = new MemoryConsumer({
      name,
      subject,
      handler,
      policy: retryPolicy({ ...this.options.retry, ...options.retry }),
      concurrency: options.concurrency ?? 1,
      stored: this.stored,
      log: this.log.child({ consumer: name }),
      onDeadLetter: (letter) => this.deadLetters.push(letter),
    });
    this.consumers.set(name, consumer);
    consumer.wake();
  }

  isConnected(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.consumers.values()].map((consumer) => consumer.stop()));
  }
}

interface ConsumerSetup {
  name: string;
  subject: string;
  handler: EventHandler;
  policy: RetryPolicy;
  concurrency: number;
  stored: Stored[];
  log: Logger;
  onDeadLetter: (letter: DeadLetter) => void;
}

interface Pending {
  message: Stored;
  deliveries: number;
}

class MemoryConsumer {
  private cursor = 0;
  private readonly ready: Pending[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly setup: ConsumerSetup) {}

  wake(): void {
    const { stored, subject } = this.setup;
    for (; this.cursor < stored.length; this.cursor++) {
      const message = stored[this.cursor]!;
      if (message.subject === subject) this.ready.push({ message, deliveries: 0 });
    }
    // Deliver on a later tick, as a network bus would: publish never runs a handler inline.
    setImmediate(() => this.pump());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all(this.inFlight);
  }

  private pump(): void {
    while (!this.stopped && this.inFlight.size < this.setup.concurrency && this.ready.length > 0) {
      const run = this.deliver(this.ready.shift()!);
      this.inFlight.add(run);
      void run.finally(() => {
        this.inFlight.delete(run);
        this.pump();
      });
    }
  }

  private async deliver(pending: Pending): Promise<void> {
    pending.deliveries += 1;
    const { name, subject, handler, policy, log } = this.setup;
    const outcome = await dispatch({
      payload: pending.message.payload,
      subject,
      consumer: name,
      deliveryCount: pending.deliveries,
      policy,
      handler,
      log,
    });
    if (outcome.action === 'dead-letter') this.setup.onDeadLetter(outcome.letter);
    if (outcome.action !== 'retry' || this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push(pending);
      this.pump();
    }, outcome.delayMs);
    this.timers.add(timer);
  }
}
