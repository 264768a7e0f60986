import { setTimeout as sleep } from 'node:timers/promises';
import { NatsLink } from '@commerce-supergraph/shared/events/jetstream/connection';
import { natsConnectOptions } from '@commerce-supergraph/shared/events/jetstream/nats-auth';
import type { NatsAuth } from '@commerce-supergraph/shared/nats-config';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { LIVE_STREAMS, type OrderUpdate, toOrderUpdate } from './updates.js';

export interface OrderFeed {
  start(): void;
  /** Calls `listener` with every order update from now on; returns the unsubscribe. */
  subscribe(listener: (update: OrderUpdate) => void): () => void;
  isReady(): boolean;
  close(): Promise<void>;
}

/** Event ids remembered to drop a redelivered event: far more than arrive between two reconnects. */
const SEEN_IDS = 2_000;

/**
 * The gateway's one view of order changes: an ordered (ephemeral, unacknowledged) JetStream
 * consumer per stream, created by this process and gone with it, so gateways never compete for
 * messages and nothing durable is left behind. It starts after the stream's last message; after the consumer is
 * lost (NATS restarted, the stream was re-created) it resumes after the last sequence it saw, so
 * no update is skipped, and the seen-ids window keeps one from being pushed twice.
 *
 * Every (re)connection starts fresh consumers from there rather than trusting the ordered
 * consumer's own recovery: after a NATS restart the fault suite saw it re-create its consumer on
 * the server and then never pull from it again (every later payment stayed undelivered).
 */
export function createOrderFeed(options: { natsUrl: string; natsAuth?: NatsAuth; log: Logger }): OrderFeed {
  const { log } = options;
  const listeners = new Set<(update: OrderUpdate) => void>();
  const seen = new Set<string>();
  const stopping = new AbortController();
  /** The current connection's pumps: aborted when NATS reconnects, so new ones take over. */
  let pumps: AbortController | undefined;
  /** Per stream, the sequence after the last message seen, across connections. */
  const resumeAt = new Map<string, number>();
  const link = new NatsLink({
    url: options.natsUrl,
    // As the gateway's own NATS user: ordered consumers only (deploy/nats/authorization.conf).
    connectOptions: natsConnectOptions(options.natsUrl, options.natsAuth),
    name: 'gateway-live',
    log,
    onConnect: async (nc) => {
      pumps?.abort();
      const current = new AbortController();
      pumps = current;
      for (const stream of LIVE_STREAMS) void pump(nc, stream, AbortSignal.any([stopping.signal, current.signal]));
    },
  });

  const emit = (update: OrderUpdate) => {
    if (seen.has(update.eventId)) return;
    seen.add(update.eventId);
    if (seen.size > SEEN_IDS) seen.delete(seen.values().next().value as string);
    for (const listener of listeners) listener(update);
  };

  async function pump(nc: NatsConnection, stream: string, signal: AbortSignal): Promise<void> {
    let warned = false;
    while (!signal.aborted && !nc.isClosed()) {
      try {
        const next = await resumeFrom(nc, stream, resumeAt.get(stream));
        // Kept before the first message arrives, so a reconnect before then skips nothing either.
        resumeAt.set(stream, next);
        const consumer = await jetstream(nc).consumers.get(stream, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: next,
        });
        const messages = await consumer.consume();
        const close = () => void messages.close();
        if (signal.aborted) close();
        signal.addEventListener('abort', close, { once: true });
        if (warned) log.info({ stream }, 'live order feed resumed');
        warned = false;
        try {
          for await (const message of messages) {
            resumeAt.set(stream, message.seq + 1);
            const update = toOrderUpdate(message.subject, message.string());
            if (update) emit(update);
          }
        } finally {
          signal.removeEventListener('abort', close);
        }
      } catch (error) {
        // The stream may not exist yet (the order subgraph creates it) or NATS may be restarting.
        if (!warned && !signal.aborted) log.warn({ err: error, stream }, 'live order feed interrupted; retrying');
        warned = true;
      }
      await sleep(1_000, undefined, { signal }).catch(() => undefined);
    }
  }

  return {
    start: () => link.start(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    isReady: () => link.isReady(),
    async close() {
      stopping.abort();
      listeners.clear();
      await link.close(1_000);
    },
  };
}

/**
 * Where to go on: at first, after the stream's last message (updates from now on); then after the
 * last sequence seen, or from the start of a stream that was re-created since.
 */
async function resumeFrom(nc: NatsConnection, stream: string, next: number | undefined): Promise<number> {
  const { state } = await (await jetstreamManager(nc)).streams.info(stream);
  if (next === undefined) return state.last_seq + 1;
  return state.last_seq + 1 < next ? state.first_seq : next;
}
