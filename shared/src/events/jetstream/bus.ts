import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { NatsAuth } from '../../nats-config.js';
import { extractContext, inSpan, SpanKind, traceHeaders } from '../../observability/tracing.js';
import {
  consumerName,
  deadLetterSubject,
  type EventBus,
  type EventHandler,
  type PublishResult,
  type RetryPolicy,
  retryPolicy,
  type SubscribeOptions,
} from '../bus.js';
import type { EventEnvelope } from '../envelope.js';
import type { PositionStore } from '../positions.js';
import { NatsLink } from './connection.js';
import { ensureWithRetry, JetStreamConsumer } from './consumer.js';
import { natsConnectOptions } from './nats-auth.js';
import { DEAD_LETTERS, type DeadLetterTarget, deadLetterStream, ensureStream, type StreamSpec } from './streams.js';

export interface JetStreamEventBusOptions {
  url: string;
  /** Credentials and TLS; none by default (a development server without authorization). */
  auth?: NatsAuth;
  service: string;
  log: Logger;
  /** The streams this service publishes to; created or updated on every (re)connect. */
  streams?: StreamSpec[];
  /** Copies of each of those streams (and DEAD_LETTERS) across a JetStream cluster. Default 1. */
  streamReplicas?: number;
  deadLetters?: DeadLetterTarget;
  /** Defaults for every subscription; each subscribe call may override. */
  retry?: Partial<RetryPolicy>;
  /**
   * How long the server waits for an answer before it redelivers (to another instance, if this one
   * died). Default 5 s; handlers that take longer signal progress and keep their messages.
   */
  ackWaitMs?: number;
  /** How long progress is signalled for one message before it is left to redelivery. Default 60 s. */
  maxWorkingMs?: number;
  /** Where consumers record their positions (a consumer created again resumes after its own). */
  positions?: PositionStore;
  /** How often each consumer records its position and checks its durable consumer exists. Default 30 s. */
  positionIntervalMs?: number;
  /** How long a publish waits for the server's ack. Default 5 s. */
  publishTimeoutMs?: number;
  reconnectWaitMs?: number;
  reconnectJitterMs?: number;
  /** Told after each message a consumer dead-lettered (metrics count them per subject). */
  onDeadLetter?: (letter: { consumer: string; subject: string }) => void;
}

class NotConnectedError extends Error {
  override name = 'NotConnectedError';
}

/** The EventBus over NATS JetStream: one connection per service, durable pull consumers. */
export class JetStreamEventBus implements EventBus {
  private readonly link: NatsLink;
  private readonly consumers = new Map<string, JetStreamConsumer>();
  private readonly listeners: (() => void)[] = [];
  private readonly deadLetters: DeadLetterTarget;
  private closed = false;

  constructor(private readonly options: JetStreamEventBusOptions) {
    this.deadLetters = options.deadLetters ?? DEAD_LETTERS;
    this.link = new NatsLink({
      url: options.url,
      name: options.service,
      connectOptions: natsConnectOptions(options.url, options.auth),
      log: options.log,
      reconnectWaitMs: options.reconnectWaitMs,
      reconnectJitterMs: options.reconnectJitterMs,
      onConnect: (nc) => this.prepare(nc),
      onReady: () => {
        for (const listener of this.listeners) listener();
      },
    });
  }

  /** Connects in the background; start-up does not wait for NATS (events wait in the outbox). */
  start(): void {
    this.link.start();
  }

  /** Resolves once connected with streams in place, the first time. */
  whenConnected(): Promise<void> {
    return this.link.whenReady();
  }

  /** Called after every (re)connect, e.g. to let the outbox relay publish what piled up. */
  onConnected(listener: () => void): void {
    this.listeners.push(listener);
  }

  isConnected(): boolean {
    return !this.closed && this.link.isReady();
  }

  /** The live connection, for a service's own look-ups (e.g. a consumer's progress); undefined while away. */
  get connection(): NatsConnection | undefined {
    return this.isConnected() ? this.link.connection : undefined;
  }

  /** Connected (and prepared) or not, and since when: what `/health` shows. */
  connectionState(): { status: 'connected' | 'disconnected'; since: string } {
    const { ready, since } = this.link.readiness();
    return { status: ready && !this.closed ? 'connected' : 'disconnected', since: new Date(since).toISOString() };
  }

  async publish(envelope: EventEnvelope): Promise<PublishResult> {
    const nc = this.link.connection;
    if (!nc || !this.isConnected()) throw new NotConnectedError('NATS is not connected');
    // A producer span under the span that recorded the event; its context travels in the NATS headers.
    const parent = extractContext({ traceparent: envelope.traceparent, tracestate: envelope.tracestate });
    const attributes = {
      'messaging.system': 'nats',
      'messaging.destination.name': envelope.type,
      'event.id': envelope.id,
    };
    return inSpan(
      this.options.service,
      `publish ${envelope.type}`,
      { kind: SpanKind.PRODUCER, attributes, parent },
      async () => {
        const trace = Object.entries(traceHeaders());
        const headers = trace.length > 0 ? natsHeaders() : undefined;
        for (const [name, value] of trace) headers?.set(name, value);
        const ack = await jetstream(nc).publish(envelope.type, JSON.stringify(envelope), {
          msgID: envelope.id,
          timeout: this.options.publishTimeoutMs ?? 5_000,
          ...(headers && { headers }),
        });
        return { duplicate: ack.duplicate };
      },
    );
  }

  async subscribe(subject: string, handler: EventHandler, options: SubscribeOptions = {}): Promise<void> {
    const name = options.name ?? consumerName(this.options.service, subject);
    if (this.consumers.has(name)) throw new Error(`consumer ${name} is already running`);
    const consumer = new JetStreamConsumer({
      name,
      subject,
      handler,
      policy: retryPolicy({ ...this.options.retry, ...options.retry }),
      concurrency: options.concurrency ?? 1,
      ackWaitMs: this.options.ackWaitMs ?? 5_000,
      maxWorkingMs: this.options.maxWorkingMs ?? 60_000,
      positions: this.options.positions,
      positionIntervalMs: this.options.positionIntervalMs ?? 30_000,
      deadLetterSubject: deadLetterSubject(this.deadLetters.subjectPrefix, this.options.service, subject),
      onDeadLetter: () => this.options.onDeadLetter?.({ consumer: name, subject }),
      service: this.options.service,
      log: this.options.log.child({ consumer: name }),
    });
    this.consumers.set(name, consumer);
    const nc = this.link.connection;
    // Not connected yet: prepare() starts it on connect. Otherwise one try now (so a caller sees its
    // consumer in place), then retries in the background: the stream may not exist yet.
    if (!nc || !this.link.isReady()) return;
    await consumer.ensure(nc).catch(() => this.startConsumer(consumer, nc));
  }

  /**
   * Each durable consumer's backlog as the server counts it: not yet delivered (`pending`) and
   * delivered but unanswered (`ackPending`). Empty while NATS is away; a consumer whose stream is not
   * there yet is left out.
   */
  async consumerLag(): Promise<{ consumer: string; stream: string; pending: number; ackPending: number }[]> {
    const nc = this.connection;
    if (!nc) return [];
    const jsm = await jetstreamManager(nc);
    const known = [...this.consumers.values()].filter((consumer) => consumer.streamName !== undefined);
    return Promise.all(
      known.map(async (consumer) => {
        const stream = consumer.streamName as string;
        const info = await jsm.consumers.info(stream, consumer.name);
        return { consumer: consumer.name, stream, pending: info.num_pending, ackPending: info.num_ack_pending };
      }),
    );
  }

  /** Drains the consumers only: in-flight handlers finish (they may still write to the outbox). */
  async stopConsumers(): Promise<void> {
    const nc = this.link.isReady() ? this.link.connection : undefined;
    await Promise.all([...this.consumers.values()].map((consumer) => consumer.stop(nc)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopConsumers();
    await this.link.close();
  }

  private async prepare(nc: NatsConnection): Promise<void> {
    const jsm = await jetstreamManager(nc);
    for (const spec of [...(this.options.streams ?? []), deadLetterStream(this.deadLetters)]) {
      await ensureStream(jsm, spec, this.options.streamReplicas ?? 1);
    }
    // Consumers retry on their own: one whose stream is not there yet must not hold up publishing.
    for (const consumer of this.consumers.values()) this.startConsumer(consumer, nc);
  }

  private startConsumer(consumer: JetStreamConsumer, nc: NatsConnection): void {
    void ensureWithRetry(consumer, nc, this.options.log, () => this.closed);
  }
}
