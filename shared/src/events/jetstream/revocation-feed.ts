import { type Consumer, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, jetstream } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { MAX_TOKEN_LIFETIME_SECONDS } from '../../auth/jwt.js';
import {
  RevocationList,
  SESSIONS_REVOKED_STREAM,
  SESSIONS_REVOKED_SUBJECT,
  type SessionsRevoked,
} from '../../auth/revocations.js';
import { parseEnvelope } from '../envelope.js';
import { NatsLink } from './connection.js';

export interface RevocationFeedOptions {
  natsUrl: string;
  /** The service's name: the connection's name on the server, and the logger's. */
  service: string;
  log: Logger;
  /** How far back the stream is replayed: no token lives longer. Default the longest token lifetime. */
  lookBackMs?: number;
  reconnectWaitMs?: number;
}

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Keeps a service's RevocationList current from NATS, on a connection of its own:
 * - live: a plain subscription to the subject, so a revocation counts everywhere within
 *   milliseconds of its publication (a JetStream publish is a core publish too);
 * - history: on every (re)connect, the stream's revocations of the last `lookBackMs` are replayed
 *   through an ordered consumer (no durable state), so neither a restart nor a NATS outage forgets a
 *   revocation of a token that may still verify.
 * Replays and the live feed overlap harmlessly: applying a revocation is idempotent.
 */
export class RevocationFeed {
  readonly revocations = new RevocationList();
  private readonly link: NatsLink;
  private live: Subscription | undefined;
  private pruning: NodeJS.Timeout | undefined;

  constructor(private readonly options: RevocationFeedOptions) {
    this.link = new NatsLink({
      url: options.natsUrl,
      name: `${options.service}-revocations`,
      log: options.log,
      reconnectWaitMs: options.reconnectWaitMs,
      onConnect: (nc) => this.prepare(nc),
    });
  }

  /** Connects in the background; `whenReady` tells when the history has been read the first time. */
  start(): void {
    this.link.start();
    this.pruning = setInterval(() => this.revocations.prune(), PRUNE_EVERY_MS).unref();
  }

  /** True once the history was read, false when `timeoutMs` passed first (NATS away): never rejects. */
  async whenReady(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const ready = this.link.whenReady().then(() => true);
    try {
      return await Promise.race([ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.pruning);
    this.live?.unsubscribe();
    await this.link.close(1_000);
  }

  private async prepare(nc: NatsConnection): Promise<void> {
    // Live first, so nothing published during the replay falls between the two.
    if (!this.live || this.live.isClosed()) {
      this.live = nc.subscribe(SESSIONS_REVOKED_SUBJECT, {
        callback: (error, message) => {
          if (!error) this.applyRaw(message.string());
        },
      });
    }
    const replayed = await this.replay(nc);
    this.options.log.info({ replayed, customers: this.revocations.size }, 'token revocations loaded');
  }

  private async replay(nc: NatsConnection): Promise<number> {
    const lookBackMs = this.options.lookBackMs ?? MAX_TOKEN_LIFETIME_SECONDS * 1000;
    let consumer: Consumer;
    try {
      consumer = await jetstream(nc).consumers.get(SESSIONS_REVOKED_STREAM, {
        filter_subjects: SESSIONS_REVOKED_SUBJECT,
        deliver_policy: DeliverPolicy.StartTime,
        opt_start_time: new Date(Date.now() - lookBackMs).toISOString(),
      });
    } catch (error) {
      // No stream yet: nothing was ever revoked; the live subscription hears the first revocation.
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return 0;
      throw error;
    }
    let count = 0;
    let pending = (await consumer.info(true)).num_pending;
    while (pending > 0) {
      const batch = await consumer.fetch({ max_messages: Math.min(pending, 1_000), expires: 5_000 });
      let received = 0;
      for await (const message of batch) {
        received += 1;
        if (this.applyRaw(message.string())) count += 1;
        pending = message.info.pending;
        // Caught up: do not wait out the fetch's expiry for messages that are not there.
        if (pending === 0) break;
      }
      if (received === 0) break;
    }
    await consumer.delete().catch(() => undefined);
    return count;
  }

  private applyRaw(raw: string): boolean {
    try {
      const envelope = parseEnvelope(raw);
      if (this.revocations.apply(envelope.data as SessionsRevoked)) return true;
    } catch {
      // Handled below: a revocation we cannot read must at least be seen.
    }
    this.options.log.error({ subject: SESSIONS_REVOKED_SUBJECT }, 'unreadable token revocation ignored');
    return false;
  }
}
