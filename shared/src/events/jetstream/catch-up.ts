import { setTimeout as sleep } from 'node:timers/promises';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

export interface ConsumerCatchUpOptions {
  /** The live connection, or undefined while NATS is away (see JetStreamEventBus.connection). */
  connection: () => NatsConnection | undefined;
  /** The consumer's subject; its stream is looked up once. */
  subject: string;
  /** The durable consumer's name. */
  consumer: string;
  /**
   * The highest stream sequence the consumer's handler has committed, as the consumer's own store
   * records it (see Delivery.streamSequence): one cheap read that spares asking the server for the
   * consumer's progress on the normal path. Without it, every wait asks the server. Only for a
   * consumer that applies in stream order: one that lets a later message commit before an earlier
   * one (a redelivery after a failure, several instances) has no floor in its highest sequence.
   */
  appliedSequence?: () => Promise<number>;
  /** The longest a caller waits for a consumer that is behind. Default 1 s. */
  maxWaitMs?: number;
  /** How often a waiting caller asks again. Default 5 ms. */
  pollMs?: number;
}

/**
 * `current`: it had applied the subject's last message already, the normal case; `caught-up`: it was
 * behind and got there; `behind`: still behind after the longest wait; `unavailable`: NATS, the
 * stream or the consumer could not be asked.
 */
export type CatchUpOutcome = 'current' | 'caught-up' | 'behind' | 'unavailable';

const ignore = (): void => undefined;

/**
 * Shares one request among callers: a caller that arrives while one is in flight waits for the next
 * one, never an earlier one, whose answer could predate what the caller needs to see.
 */
class SharedRequest<T> {
  private inFlight: Promise<T> | undefined;
  private next: Promise<T> | undefined;
  /** Requests sent so far (for measurements and tests). */
  sent = 0;

  constructor(private readonly request: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.inFlight) return this.send();
    this.next ??= this.inFlight.then(ignore, ignore).then(() => {
      this.next = undefined;
      return this.send();
    });
    return this.next;
  }

  private send(): Promise<T> {
    this.sent += 1;
    const request = this.request();
    this.inFlight = request;
    const settled = () => {
      if (this.inFlight === request) this.inFlight = undefined;
    };
    request.then(settled, settled);
    return request;
  }
}

/**
 * Read-your-writes across a durable consumer: `wait()` resolves once the consumer has applied the
 * last message its stream held for its subject at the moment of asking, or after `maxWaitMs`.
 *
 * The target is that message's stream sequence, read from the stream itself (the stream's store is
 * updated before the publisher's ack, unlike a consumer's pending count, which the server updates a
 * moment later). The normal path is that one request plus `appliedSequence` (one cheap read of the
 * consumer's own store); concurrent callers share requests, so a busy service asks at most once per
 * caller. Only a consumer that is behind is asked for its progress, every `pollMs`: its ack floor
 * (everything up to it acknowledged, which a handler does after its commit). Never rejects: when NATS
 * cannot answer the caller goes on with what it has.
 */
export class ConsumerCatchUp {
  private readonly maxWaitMs: number;
  private readonly pollMs: number;
  private manager: { nc: NatsConnection; jsm: Promise<JetStreamManager> } | undefined;
  private stream: Promise<string> | undefined;
  private readonly target = new SharedRequest(() => this.lastSequence());
  private readonly progress = new SharedRequest(() => this.ackFloor());
  /** The last `appliedSequence` read: it only grows, so once it equals the target no read is needed. */
  private applied = -1;

  constructor(private readonly options: ConsumerCatchUpOptions) {
    this.maxWaitMs = options.maxWaitMs ?? 1_000;
    this.pollMs = options.pollMs ?? 5;
  }

  /** NATS requests sent so far: the subject's last sequence, and the consumer's progress. */
  get requests(): { target: number; progress: number } {
    return { target: this.target.sent, progress: this.progress.sent };
  }

  async wait(): Promise<CatchUpOutcome> {
    const deadline = performance.now() + this.maxWaitMs;
    try {
      // The recorded position only grows, so one read before the target, even long before, still
      // proves it: while the subject gets no new message (the usual case) no read is needed at all.
      const known = this.applied;
      const [target, applied] = await Promise.all([this.target.get(), known >= 0 ? known : this.readApplied()]);
      if (target === 0) return 'current';
      // Above the target means the stream was recreated and counts from 1 again: ask the server.
      if (applied === target) return 'current';
      if (known >= 0 && (await this.readApplied()) === target) return 'current';
      for (let waited = false; ; waited = true) {
        if ((await this.progress.get()) >= target) return waited ? 'caught-up' : 'current';
        if (performance.now() + this.pollMs >= deadline) return 'behind';
        await sleep(this.pollMs);
      }
    } catch {
      // Not connected, no stream or consumer yet, or no answer in time.
      return 'unavailable';
    }
  }

  private async readApplied(): Promise<number | undefined> {
    const applied = await this.options.appliedSequence?.();
    if (applied !== undefined) this.applied = applied;
    return applied;
  }

  /** The stream sequence of the subject's last message; 0 when it has none. */
  private async lastSequence(): Promise<number> {
    const jsm = await this.jsm();
    const last = await jsm.streams.getMessage(await this.streamName(jsm), { last_by_subj: this.options.subject });
    return last?.seq ?? 0;
  }

  private async ackFloor(): Promise<number> {
    const jsm = await this.jsm();
    return (await jsm.consumers.info(await this.streamName(jsm), this.options.consumer)).ack_floor.stream_seq;
  }

  private jsm(): Promise<JetStreamManager> {
    const nc = this.options.connection();
    if (!nc) return Promise.reject(new Error('NATS is not connected'));
    if (this.manager?.nc !== nc) {
      // No account check (one more request), and no request may outlast the caller's patience.
      this.manager = { nc, jsm: jetstreamManager(nc, { checkAPI: false, timeout: this.maxWaitMs }) };
    }
    return this.manager.jsm;
  }

  private streamName(jsm: JetStreamManager): Promise<string> {
    this.stream ??= jsm.streams.find(this.options.subject);
    const found = this.stream;
    // Not found (yet), or gone: look it up again next time.
    found.catch(() => {
      if (this.stream === found) this.stream = undefined;
    });
    return found;
  }
}
