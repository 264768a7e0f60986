import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type NatsAuth, natsServers } from '../../nats-config.js';
import type { DeadLetter } from '../bus.js';
import { natsConnectOptions } from './nats-auth.js';
import { DEAD_LETTERS, type DeadLetterTarget, readStream } from './streams.js';

/** A dead letter as kept in its stream: `seq` is the id an operator shows, replays or discards it by. */
export interface StoredDeadLetter extends DeadLetter {
  seq: number;
  /** Where it is kept: `deadletter.<service>.<original subject>`. */
  storedSubject: string;
}

export interface Replayed {
  /** The stream and sequence the replayed copy was stored at. */
  stream: string;
  seq: number;
  /** True when the server already held a replay of this letter (a second replay within its duplicate window). */
  duplicate: boolean;
}

export class NotReplayableError extends Error {
  override name = 'NotReplayableError';
}

const isApiError = (error: unknown, code: number): boolean => error instanceof JetStreamApiError && error.code === code;

/** A stored message that is not a dead letter of ours still lists, with what it holds as `raw`. */
function parseLetter(seq: number, storedSubject: string, data: string): StoredDeadLetter {
  try {
    return { ...(JSON.parse(data) as DeadLetter), seq, storedSubject };
  } catch {
    const unknown = { consumer: '?', subject: '?', eventId: null, deliveryCount: 0, failedAt: '' };
    return { ...unknown, error: 'not a dead letter (unreadable JSON)', envelope: null, raw: data, seq, storedSubject };
  }
}

/**
 * The operator's side of dead letters (see docs/operations.md, Dead letters): read them, replay one
 * after its cause is fixed, or discard it. Replaying goes through the consumers' inboxes, so nothing
 * is applied twice: the original envelope, same event id, is published again to its original
 * subject. Every durable consumer of that subject receives the copy; those that handled the original
 * find its id in their inbox and skip it, and the one that failed (its inbox row rolled back with its
 * handler) applies it. The copy carries a msg id of its own (`<event id>:replay:<seq>`): the original
 * id would be dropped by the server inside the duplicate window, while two replays of one letter
 * (two operators, a retry after a crash) are one. A replayed letter is removed; if the handler fails
 * again, it is dead-lettered again under a new id.
 */
export class DeadLetterStore {
  private readonly js: JetStreamClient;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly owned: boolean,
    private readonly target: DeadLetterTarget,
  ) {
    this.js = jetstream(nc);
  }

  /** On a connection of its own (with the given credentials and TLS), closed by close(). */
  static async connect(
    url: string,
    target: DeadLetterTarget = DEAD_LETTERS,
    auth?: NatsAuth,
  ): Promise<DeadLetterStore> {
    const nc = await connect({ ...natsConnectOptions(url, auth), servers: natsServers(url), name: 'dead-letters' });
    try {
      return new DeadLetterStore(nc, await jetstreamManager(nc), true, target);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /** On a connection the caller keeps (and closes). */
  static async on(nc: NatsConnection, target: DeadLetterTarget = DEAD_LETTERS): Promise<DeadLetterStore> {
    return new DeadLetterStore(nc, await jetstreamManager(nc), false, target);
  }

  get stream(): string {
    return this.target.stream;
  }

  /** Every dead letter kept, oldest first; none when the stream does not exist yet. */
  async list(): Promise<StoredDeadLetter[]> {
    const letters: StoredDeadLetter[] = [];
    try {
      for await (const message of readStream(this.jsm, this.target.stream)) {
        letters.push(parseLetter(message.seq, message.subject, message.data));
      }
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    }
    return letters;
  }

  /** One dead letter by its id, or undefined when there is none (never was, replayed or discarded). */
  async get(seq: number): Promise<StoredDeadLetter | undefined> {
    try {
      const message = await this.jsm.streams.getMessage(this.target.stream, { seq });
      return message ? parseLetter(message.seq, message.subject, message.string()) : undefined;
    } catch (error) {
      if (isApiError(error, JetStreamApiCodes.StreamNotFound)) return undefined;
      throw error;
    }
  }

  /** Publishes the letter's envelope again to its original subject, then removes the letter. */
  async replay(letter: StoredDeadLetter): Promise<Replayed> {
    const { envelope } = letter;
    if (!envelope) throw new NotReplayableError(`dead letter ${letter.seq} is not an event envelope; discard it`);
    const ack = await this.js.publish(letter.subject, JSON.stringify(envelope), {
      msgID: `${envelope.id}:replay:${letter.seq}`,
    });
    await this.discard(letter.seq);
    return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  }

  /** Removes a dead letter; false when it was not there (any more). */
  async discard(seq: number): Promise<boolean> {
    try {
      return await this.jsm.streams.deleteMessage(this.target.stream, seq, false);
    } catch (error) {
      if (isApiError(error, JetStreamApiCodes.StreamNotFound)) return false;
      // Deleting a message that is gone: the server says so with a plain API error.
      if (error instanceof JetStreamApiError && /no message found|sequence not found/i.test(error.message)) {
        return false;
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.owned) await this.nc.close();
  }
}
