import { setTimeout as sleep } from 'node:timers/promises';
import {
  AckPolicy,
  type Consumer,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  ReplayPolicy,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { extractContext, inSpan, SpanKind } from '../../observability/tracing.js';
import { withDeadline } from '../../time.js';
import { type EventHandler, type RetryPolicy, retryDelay } from '../bus.js';
import { dispatch } from '../dispatch.js';
import type { PositionStore } from '../positions.js';

export interface ConsumerSpec {
  name: string;
  subject: string;
  handler: EventHandler;
  policy: RetryPolicy;
  concurrency: number;
  /**
   * How long the server waits for an answer before it hands a message to another instance. Short,
   * so a message held by an instance that died is handled elsewhere within seconds; a handler that
   * takes longer keeps its messages by signalling progress (`working`) every third of it.
   */
  ackWaitMs: number;
  /** How long progress is signalled for one message; after that it is left to redelivery. */
  maxWorkingMs: number;
  /** Where this consumer's position is kept, so a consumer created again never replays handled events. */
  positions?: PositionStore;
  /** How often the position is recorded (and the durable consumer checked to still exist). */
  positionIntervalMs: number;
  deadLetterSubject: string;
  /** Told after a message was stored as a dead letter (metrics count them per subject). */
  onDeadLetter?: () => void;
  /** The consuming service, on its trace spans. */
  service?: string;
  log: Logger;
}

/**
 * Deliveries the server allows beyond the handler's own: the runner dead-letters on delivery
 * `maxDeliver`, and if that delivery dies unanswered (crash, hang past ack_wait) the spare ones
 * still reach us, so a message is dead-lettered and never dropped silently by the server.
 */
const SPARE_DELIVERIES = 2;

/**
 * How long one pull request stays open at the server. Stopping waits for the open one to end
 * rather than cutting it: what the server sends into a cut request is delivered to nobody and only
 * comes back after the ack wait. Only when the server cannot end it (the connection is gone) is it
 * cut, after this much and a second more.
 */
const PULL_EXPIRES_MS = 2_000;

/**
 * One durable pull consumer: explicit ack, bounded deliveries, nak with backoff, dead letters; a
 * short ack wait with progress signals; its position recorded, and used when it is created again.
 */
export class JetStreamConsumer {
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Messages read from a fetch and waiting for a handler slot. */
  private readonly queue: JsMsg[] = [];
  /** Every message received and not yet answered, with when it arrived: kept alive by `working()`. */
  private readonly held = new Map<JsMsg, number>();
  private readonly overdue = new WeakSet<JsMsg>();
  private stopping = false;
  private ensuring: Promise<void> = Promise.resolve();
  private stream: { name: string; created: string } | undefined;
  private timers: NodeJS.Timeout[] = [];
  private checkpointing = false;
  /** The pull request being read, and what to call when the loop is done reading it. */
  private batch: ConsumerMessages | undefined;
  private pullEnded: (() => void) | undefined;

  constructor(private readonly spec: ConsumerSpec) {}

  get name(): string {
    return this.spec.name;
  }

  /** The stream this consumer reads, once it has been ensured (undefined before). */
  get streamName(): string | undefined {
    return this.stream?.name;
  }

  /**
   * Creates or updates the durable consumer (again after a reconnect, in case the server lost it)
   * and starts pulling once. Throws while no stream captures the subject: the publisher owns it.
   */
  ensure(nc: NatsConnection): Promise<void> {
    // One at a time: a subscribe and a reconnect may ask together, and only one loop may pull.
    const run = this.ensuring.then(() => this.ensureOnce(nc));
    this.ensuring = run.catch(() => undefined);
    return run;
  }

  private async ensureOnce(nc: NatsConnection): Promise<void> {
    const { name, subject, policy, concurrency, ackWaitMs, log } = this.spec;
    const jsm = await jetstreamManager(nc);
    const stream = await jsm.streams.find(subject);
    const { created } = await jsm.streams.info(stream);
    this.stream = { name: stream, created };
    const settings = {
      max_deliver: policy.maxDeliver + SPARE_DELIVERIES,
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: Math.max(concurrency * 4, 64),
    };
    try {
      await jsm.consumers.info(stream, name);
      await jsm.consumers.update(stream, name, settings);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
      await this.create(jsm, settings);
    }
    if (this.loop || this.stopping) return;
    const consumer = await jetstream(nc).consumers.get(stream, name);
    // pull() catches every failure inside its loop and returns only once stopping.
    this.loop = this.pull(nc, consumer);
    const beat = Math.max(100, Math.floor(ackWaitMs / 3));
    this.timers = [
      setInterval(() => this.heartbeat(), beat),
      setInterval(() => void this.checkpoint(nc), this.spec.positionIntervalMs),
    ];
    for (const timer of this.timers) timer.unref();
    log.debug({ stream }, 'consumer pulling');
  }

  /**
   * Creates the durable consumer. With a recorded position for this stream it starts right after it:
   * whatever it handled before is not delivered again, however long ago (the inbox may have forgotten
   * it). Without one (a new service, a new database) it reads the stream from its first event.
   */
  private async create(jsm: JetStreamManager, settings: Partial<ConsumerConfig>): Promise<void> {
    const { name, subject, positions, log } = this.spec;
    const stream = this.stream!;
    const position = await positions?.load(name, stream.name, stream.created);
    const start =
      position === undefined
        ? { deliver_policy: DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: position + 1 };
    await jsm.consumers.add(stream.name, {
      ...settings,
      ...start,
      durable_name: name,
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
      replay_policy: ReplayPolicy.Instant,
    });
    if (position === undefined)
      log.info({ stream: stream.name }, 'consumer created; reading the stream from its first event');
    else log.warn({ stream: stream.name, position }, 'consumer created again; resuming after its recorded position');
  }

  /**
   * Records the server's ack floor as this consumer's position, and creates the durable consumer
   * again if it is gone (deleted by hand, or lost with the server's storage).
   */
  private async checkpoint(nc: NatsConnection): Promise<void> {
    const stream = this.stream;
    if (!stream || nc.isClosed() || this.checkpointing) return;
    this.checkpointing = true;
    try {
      const jsm = await jetstreamManager(nc);
      let info: ConsumerInfo;
      try {
        info = await jsm.consumers.info(stream.name, this.spec.name);
      } catch (error) {
        if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
        if (this.stopping) return;
        this.spec.log.warn({ stream: stream.name }, 'durable consumer gone; creating it again');
        await this.ensure(nc);
        return;
      }
      await this.spec.positions?.save(this.spec.name, stream.name, stream.created, info.ack_floor.stream_seq);
    } catch (error) {
      this.spec.log.warn({ err: error }, 'consumer position not recorded; will retry');
    } finally {
      this.checkpointing = false;
    }
  }

  /** Tells the server that every held message is still being worked on, up to `maxWorkingMs` each. */
  private heartbeat(): void {
    const now = Date.now();
    for (const [msg, since] of this.held) {
      if (now - since < this.spec.maxWorkingMs) {
        msg.working();
      } else if (!this.overdue.has(msg)) {
        this.overdue.add(msg);
        this.spec.log.warn(
          { streamSequence: msg.info.streamSequence, heldMs: now - since },
          'message held too long; leaving it to redelivery',
        );
      }
    }
  }

  /**
   * Stops asking for messages, lets the open pull request run out (handing back whatever still
   * arrives), hands back what waits for a handler slot, and waits for the handlers in progress.
   */
  async stop(nc?: NatsConnection): Promise<void> {
    this.stopping = true;
    // The open pull request ends by itself within PULL_EXPIRES_MS, unless the connection is gone
    // and the server's word that it expired never comes: then it is cut here.
    const ended = await withDeadline(this.pulling(), PULL_EXPIRES_MS + 1_000);
    if (!ended) this.batch?.stop();
    await this.loop;
    for (const timer of this.timers) clearInterval(timer);
    // The last position, so a consumer created again while this service is down starts from here.
    if (nc && this.loop) await this.checkpoint(nc);
  }

  /** Settles when the loop is done with the pull request it is reading (at once if none). */
  private pulling(): Promise<void> {
    if (!this.loop || this.batch === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.pullEnded = resolve;
    });
  }

  /**
   * Fetches, and reads each fetch to its end at once: what arrives waits in `queue` (and in `held`,
   * so it is kept alive by `working()`) until a handler slot is free. An unread fetch would not do:
   * once the server has sent it all, no heartbeat comes, and after two missed ones the client ends
   * the fetch and drops what was not read yet, which the server redelivers only after the ack wait.
   * The next fetch asks only once the queue is empty, for what fills the slots twice over.
   */
  private async pull(nc: NatsConnection, consumer: Consumer): Promise<void> {
    const { concurrency, log } = this.spec;
    while (!this.stopping) {
      this.batch = undefined;
      try {
        const room = Math.max(1, Math.max(concurrency * 2, 16) - this.inFlight.size - this.queue.length);
        const batch = await consumer.fetch({ max_messages: room, expires: PULL_EXPIRES_MS });
        this.batch = batch;
        for await (const msg of batch) {
          if (this.stopping) {
            // Not at once: the server would hand it straight back to this still-open request,
            // spending a delivery each time. After the request expires it goes to the next instance.
            msg.nak(PULL_EXPIRES_MS + 1_000);
            continue;
          }
          this.held.set(msg, Date.now());
          this.queue.push(msg);
          this.startHandlers(nc);
        }
        this.fetchEnded();
        await this.queueEmpty();
      } catch (error) {
        this.fetchEnded();
        // NATS away or the consumer lost with the server's storage: the reconnect handler recreates it.
        if (!this.stopping) log.warn({ err: error }, 'pull failed; retrying');
        if (!this.stopping) await sleep(1_000, undefined, { ref: false });
      }
    }
    // What still waits for a slot goes back, for the next instance once the open request expires.
    for (const msg of this.queue.splice(0)) {
      this.held.delete(msg);
      msg.nak(PULL_EXPIRES_MS + 1_000);
    }
    await Promise.all(this.inFlight);
  }

  /** The loop is done with the fetch: stop() no longer waits for it. */
  private fetchEnded(): void {
    this.batch = undefined;
    this.pullEnded?.();
  }

  /** Starts queued messages while handler slots are free (none once stopping). */
  private startHandlers(nc: NatsConnection): void {
    while (!this.stopping && this.queue.length > 0 && this.inFlight.size < this.spec.concurrency) {
      const msg = this.queue.shift() as JsMsg;
      // Its time in the queue does not count against maxWorkingMs.
      this.held.set(msg, Date.now());
      const handled = this.handle(nc, msg)
        .catch((error: unknown) => this.spec.log.error({ err: error }, 'delivery failed'))
        .finally(() => {
          this.held.delete(msg);
          this.inFlight.delete(handled);
          this.startHandlers(nc);
        });
      this.inFlight.add(handled);
    }
  }

  /** Settles once every queued message has a handler slot, or stopping began. */
  private async queueEmpty(): Promise<void> {
    while (this.queue.length > 0 && !this.stopping) await Promise.race(this.inFlight);
  }

  private async handle(nc: NatsConnection, msg: JsMsg): Promise<void> {
    const { name, subject, handler, policy, log } = this.spec;
    const deliveryCount = msg.info.deliveryCount;
    // The handler runs in a consumer span under the publisher's (its NATS headers): what it records goes on in the trace.
    const parent = extractContext({
      traceparent: msg.headers?.get('traceparent') || undefined,
      tracestate: msg.headers?.get('tracestate') || undefined,
    });
    const attributes = {
      'messaging.system': 'nats',
      'messaging.consumer.group.name': name,
      'messaging.destination.name': msg.subject,
    };
    const outcome = await inSpan(
      this.spec.service ?? name,
      `process ${msg.subject}`,
      { kind: SpanKind.CONSUMER, attributes, parent },
      () =>
        dispatch({
          payload: msg.data,
          subject,
          consumer: name,
          deliveryCount,
          streamSequence: msg.info.streamSequence,
          policy,
          handler,
          log,
        }),
    );
    if (outcome.action === 'ack') return msg.ack();
    if (outcome.action === 'retry') return msg.nak(outcome.delayMs);
    try {
      // The msg id makes a repeated dead-lettering of one delivery (a crash before term) a no-op.
      await jetstream(nc).publish(this.spec.deadLetterSubject, JSON.stringify(outcome.letter), {
        msgID: `${name}:${msg.info.streamSequence}`,
      });
      msg.term();
      this.spec.onDeadLetter?.();
    } catch (error) {
      log.error({ err: error, eventId: outcome.letter.eventId }, 'dead letter not stored; will retry');
      msg.nak(retryDelay(policy, deliveryCount));
    }
  }
}

/** Keeps trying `ensure` until it works: a consumer may start before the publisher created its stream. */
export async function ensureWithRetry(
  consumer: JetStreamConsumer,
  nc: NatsConnection,
  log: Logger,
  isStopped: () => boolean,
): Promise<void> {
  for (let attempt = 1; !isStopped() && !nc.isClosed(); attempt++) {
    try {
      return await consumer.ensure(nc);
    } catch (error) {
      if (attempt === 1) log.warn({ err: error }, 'consumer not ready (is the stream there yet?); retrying');
      await sleep(Math.min(500 * 2 ** attempt, 30_000), undefined, { ref: false });
    }
  }
}
