import { setTimeout as sleep } from 'node:timers/promises';
import { type Msg, type NatsConnection, RequestError, type Subscription } from '@nats-io/transport-node';
import type { CatchUpOutcome } from './catch-up.js';

/**
 * Read-your-writes for a projection, paid by the rare writes rather than by every read.
 *
 * A reader that must see every change a writer has answered (the order subgraph pricing from its
 * price projection) could check, before each read, that the projection has applied what the stream
 * holds (ConsumerCatchUp: a NATS request a read). The fence spares that request: the writer, once
 * its event is stored and before it answers, asks every running reader to catch up
 * (`askProjections`), and a reader that has proved itself caught up while listening for such
 * questions skips the check until something could have made it miss one.
 *
 * The proof, per reader: the server has its subscription (confirmed by a flush), and after that
 * it caught up with the stream. A write answered later either asked before the subscription, so its
 * event was in the stream the reader caught up with, or asked after, so the reader heard it: a
 * question lifts the fence until the reader has caught up again. A question answered with anything
 * but caught up, a lost or renewed connection, or a closed subscription lift it too; the next read
 * then checks and, caught up, fences again. A projection more than the catch-up's longest wait
 * behind is read as it is, as with a check before each read. And a fence lapses after `holdMs`
 * whatever happens, so what the proof cannot see (a write that never asked) is bounded too.
 */

/** The subject a writer of `subject` asks its projections on: `catchup.` is no stream's, so nothing stores it. */
export const catchUpSubject = (subject: string): string => `catchup.${subject}`;

/** What a writer heard: the first reader's catch-up, none listening, or no answer in time (or NATS away). */
export type AskOutcome = CatchUpOutcome | 'no-projection' | 'no-answer';

const OUTCOMES: readonly string[] = ['current', 'caught-up', 'behind', 'unavailable'];
const caughtUp = (outcome: CatchUpOutcome) => outcome === 'current' || outcome === 'caught-up';

/**
 * The writer's side: asks the running projections of `subject` to apply what the stream holds now,
 * and resolves with the first answer (readers sharing one database share one projection), at once
 * when no reader listens, or after `timeoutMs`. Never rejects.
 */
export async function askProjections(
  nc: NatsConnection | undefined,
  subject: string,
  timeoutMs: number,
): Promise<AskOutcome> {
  if (!nc || nc.isClosed()) return 'no-answer';
  try {
    const answer = (await nc.request(catchUpSubject(subject), undefined, { timeout: timeoutMs })).string();
    return OUTCOMES.includes(answer) ? (answer as CatchUpOutcome) : 'unavailable';
  } catch (error) {
    return error instanceof RequestError && error.isNoResponders() ? 'no-projection' : 'no-answer';
  }
}

export interface ProjectionFenceOptions {
  /** The live connection, or undefined while NATS is away (see JetStreamEventBus.connection). */
  connection: () => NatsConnection | undefined;
  /** The projection's subject, as the writer publishes it. */
  subject: string;
  /** The longest the server's confirmation of the subscription is waited for. Default 1 s. */
  flushMs?: number;
  /**
   * The longest a fence holds without a check. Default 1 s. It bounds what the proof does not
   * cover: a write whose question was never asked (a writer that answered before its event was
   * stored, or one deployed before the fence), or missed (a question sent in the moment a cluster
   * of NATS servers learnt of the subscription).
   */
  holdMs?: number;
  /** Waits until the projection has applied what the stream holds now (ConsumerCatchUp.wait). */
  catchUp: () => Promise<CatchUpOutcome>;
}

/** Connection events after which a question may have been missed. */
const LOST = new Set(['disconnect', 'reconnect', 'staleConnection', 'forceReconnect', 'close']);

/** The reader's side: `wait()` before each read; it checks only while the fence is down. */
export class ProjectionFence {
  private nc: NatsConnection | undefined;
  private subscription: Subscription | undefined;
  /** Counts the connection's losses: a fence holds only in the epoch that proved it. */
  private epoch = 0;
  /** The epoch whose subscription the server has confirmed; -1 for none. */
  private listeningIn = -1;
  /** The epoch the fence was proved in; -1 while down. */
  private fencedIn = -1;
  /** When the fence lapses: holdMs after the catch-up that proved it began. */
  private fencedUntil = 0;
  /** Questions heard so far, and those being answered now. */
  private heard = 0;
  private answering = 0;
  /** The server refused the subscription (permissions): not asked again until the connection is renewed. */
  private refused = false;
  /** Reads that skipped the check (for measurements and tests). */
  skipped = 0;

  private readonly flushMs: number;
  private readonly holdMs: number;

  constructor(private readonly options: ProjectionFenceOptions) {
    this.flushMs = options.flushMs ?? 1_000;
    this.holdMs = options.holdMs ?? 1_000;
  }

  get fenced(): boolean {
    return (
      this.fencedIn === this.epoch &&
      performance.now() < this.fencedUntil &&
      this.answering === 0 &&
      this.subscription !== undefined &&
      !this.subscription.isClosed()
    );
  }

  /** 'fenced' when the check was skipped; otherwise the catch-up's outcome, which fences when caught up. */
  async wait(): Promise<CatchUpOutcome | 'fenced'> {
    if (this.fenced) {
      this.skipped += 1;
      return 'fenced';
    }
    // Listening first: only a catch-up that starts after the server has the subscription proves anything.
    const listening = await this.listen();
    const epoch = this.epoch;
    const heard = this.heard;
    const started = performance.now();
    const outcome = await this.options.catchUp();
    // A question heard meanwhile may ask for more than this catch-up saw: its own answer fences.
    if (listening && caughtUp(outcome) && epoch === this.epoch && heard === this.heard) this.raise(epoch, started);
    return outcome;
  }

  private raise(epoch: number, started: number): void {
    this.fencedIn = epoch;
    this.fencedUntil = started + this.holdMs;
  }

  /** Subscribes on the current connection if not yet, and confirms it with the server once per epoch. */
  private async listen(): Promise<boolean> {
    const nc = this.options.connection();
    if (!nc || nc.isClosed() || (nc === this.nc && this.refused)) return false;
    if (nc !== this.nc || !this.subscription || this.subscription.isClosed()) {
      if (nc !== this.nc) void this.watch(nc);
      this.nc = nc;
      this.epoch += 1;
      this.subscription = nc.subscribe(catchUpSubject(this.options.subject), { callback: this.answer });
    }
    if (this.listeningIn === this.epoch) return true;
    const epoch = this.epoch;
    // Bounded: a flush sent while the client is reconnecting waits for the reconnect.
    const flushed = await Promise.race([
      nc.flush().then(
        () => true,
        () => false,
      ),
      sleep(this.flushMs, false, { ref: false }),
    ]);
    if (!flushed) return false;
    if (epoch !== this.epoch) return false;
    // A refused subscription is closed by the time the flush comes back.
    if (this.subscription?.isClosed()) {
      this.refused = true;
      return false;
    }
    this.listeningIn = epoch;
    return true;
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (nc !== this.nc) return;
      if (LOST.has(status.type)) {
        this.epoch += 1;
        this.refused = false;
      }
    }
  }

  /** A writer's question: the fence is down until this reader has caught up again, then the answer goes back. */
  private readonly answer = (error: Error | null, msg: Msg): void => {
    if (error) return;
    this.heard += 1;
    this.answering += 1;
    this.fencedIn = -1;
    const epoch = this.epoch;
    const heard = this.heard;
    const started = performance.now();
    const settle = (outcome: CatchUpOutcome) => {
      this.answering -= 1;
      // Only the latest question's catch-up covers every question heard.
      if (caughtUp(outcome) && epoch === this.epoch && heard === this.heard) this.raise(epoch, started);
      msg.respond(outcome);
    };
    this.options.catchUp().then(settle, () => settle('unavailable'));
  };
}
