import { setTimeout as sleep } from 'node:timers/promises';
import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JsMsg,
  jetstream,
  jetstreamManager,
  ReplayPolicy,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { type EventHandler, type RetryPolicy, retryDelay } from '../bus.js';
import { dispatch } from '../dispatch.js';

export interface ConsumerSpec {
  name: string;
  subject: string;
  handler: EventHandler;
  policy: RetryPolicy;
  concurrency: number;
  ackWaitMs: number;
  deadLetterSubject: string;
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
 * comes back after ack_wait (30 s), which would stall a restarted instance.
 */
const PULL_EXPIRES_MS = 2_000;

/** One durable pull consumer: explicit ack, bounded deliveries, nak with backoff, dead letters. */
export class JetStreamConsumer {
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private ensuring: Promise<void> = Promise.resolve();

  constructor(private readonly spec: ConsumerSpec) {}

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
    const { name, subject, policy, concurrency, ackWaitMs } = this.spec;
    const jsm = await jetstreamManager(nc);
    const stream = await jsm.streams.find(subject);
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
      await jsm.consumers.add(stream, {
        ...settings,
        durable_name: name,
        filter_subject: subject,
        ack_policy: AckPolicy.Explicit,
        // A new consumer reads the whole history: a service that starts later still sees every event.
        deliver_policy: DeliverPolicy.All,
        replay_policy: ReplayPolicy.Instant,
      });
    }
    if (this.loop || this.stopping) return;
    const consumer = await jetstream(nc).consumers.get(stream, name);
    // pull() catches every failure inside its loop and returns only once stopping.
    this.loop = this.pull(nc, consumer);
  }

  /**
   * Stops asking for messages, lets the open pull request run out (handing back at once whatever
   * still arrives), and waits for the handlers in progress.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  private async pull(nc: NatsConnection, consumer: Consumer): Promise<void> {
    const { concurrency, log } = this.spec;
    while (!this.stopping) {
      try {
        const batch = await consumer.fetch({ max_messages: Math.max(concurrency * 2, 16), expires: PULL_EXPIRES_MS });
        for await (const msg of batch) {
          if (this.stopping) {
            // Not at once: the server would hand it straight back to this still-open request,
            // spending a delivery each time. After the request expires it goes to the next instance.
            msg.nak(PULL_EXPIRES_MS + 1_000);
            continue;
          }
          while (this.inFlight.size >= concurrency) await Promise.race(this.inFlight);
          const handled = this.handle(nc, msg).catch((error: unknown) => log.error({ err: error }, 'delivery failed'));
          this.inFlight.add(handled);
          void handled.finally(() => this.inFlight.delete(handled));
        }
      } catch (error) {
        // NATS away or the consumer lost with the server's storage: the reconnect handler recreates it.
        if (!this.stopping) log.warn({ err: error }, 'pull failed; retrying');
        if (!this.stopping) await sleep(1_000, undefined, { ref: false });
      }
    }
    await Promise.all(this.inFlight);
  }

  private async handle(nc: NatsConnection, msg: JsMsg): Promise<void> {
    const { name, subject, handler, policy, log } = this.spec;
    const deliveryCount = msg.info.deliveryCount;
    const streamSequence = msg.info.streamSequence;
    const outcome = await dispatch({
      payload: msg.data,
      subject,
      consumer: name,
      deliveryCount,
      streamSequence,
      policy,
      handler,
      log,
    });
    if (outcome.action === 'ack') return msg.ack();
    if (outcome.action === 'retry') return msg.nak(outcome.delayMs);
    try {
      // The msg id makes a repeated dead-lettering of one delivery (a crash before term) a no-op.
      await jetstream(nc).publish(this.spec.deadLetterSubject, JSON.stringify(outcome.letter), {
        msgID: `${name}:${msg.info.streamSequence}`,
      });
      msg.term();
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
