import { setTimeout as sleep } from 'node:timers/promises';
import { NatsLink } from '@commerce-supergraph/shared/events/jetstream/connection';
import { natsConnectOptions } from '@commerce-supergraph/shared/events/jetstream/nats-auth';
import type { NatsAuth } from '@commerce-supergraph/shared/nats-config';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { StreamPositions } from './positions.js';
import { LIVE_STREAMS, type OrderUpdate, toOrderUpdate } from './updates.js';

export interface OrderFeed {
  start(): void;
  /**
   * Calls `listener` with every order update from now on; returns the unsubscribe. The feed reads
   * its streams only while someone listens: await `reading()` before relying on "from now on".
   */
  subscribe(listener: (update: OrderUpdate) => void): () => void;
  /** Resolves once the streams are read from a position taken after the last subscribe (at most `timeoutMs`). */
  reading(timeoutMs?: number): Promise<void>;
  isReady(): boolean;
  close(): Promise<void>;
}

/** Event ids remembered to drop a redelivered event: far more than arrive between two reconnects. */
const SEEN_IDS = 2_000;
/** How long the streams are still read after the last listener left: a page reload re-subscribes. */
const LINGER_MS = 30_000;
/** How often the streams' ends are looked up while nobody listens (see positions.ts). */
const ENDS_EVERY_MS = 10_000;

/**
 * The gateway's one view of order changes: an ordered (ephemeral, unacknowledged) JetStream
 * consumer per stream, created by this process and gone with it, so gateways never compete for
 * messages and nothing durable is left behind. It reads only while a subscription listens (and
 * `LINGER_MS` after the last one ends): every gateway worker reading every order event with nobody
 * watching cost each of them, and NATS, a delivery per event. Where it reads from (positions.ts):
 * from its start on, and after a lost consumer (NATS restarted, the stream re-created) from the last
 * sequence it saw, so no update is skipped; the seen-ids window keeps one from being pushed twice.
 *
 * Every (re)connection starts fresh consumers from there rather than trusting the ordered
 * consumer's own recovery: after a NATS restart the fault suite saw it re-create its consumer on
 * the server and then never pull from it again (every later payment stayed undelivered).
 */
export function createOrderFeed(options: {
  natsUrl: string;
  natsAuth?: NatsAuth;
  log: Logger;
  /** How long the streams are still read after the last listener left (tests shorten it). */
  lingerMs?: number;
}): OrderFeed {
  const { log, lingerMs = LINGER_MS } = options;
  const listeners = new Set<(update: OrderUpdate) => void>();
  const seen = new Set<string>();
  const stopping = new AbortController();
  /** The running pumps (one connection's, while someone listens): aborted on reconnect or idle. */
  let pumps: AbortController | undefined;
  let connection: NatsConnection | undefined;
  let linger: NodeJS.Timeout | undefined;
  const positions = new StreamPositions();
  /** Told when every stream has its position: what `reading()` waits for. */
  const positioned = new Set<() => void>();
  const link = new NatsLink({
    url: options.natsUrl,
    // As the gateway's own NATS user: ordered consumers only (deploy/nats/authorization.conf).
    connectOptions: natsConnectOptions(options.natsUrl, options.natsAuth),
    name: 'gateway-live',
    log,
    onConnect: async (nc) => {
      connection = nc;
      if (!pumps) await positions.lookUpEnds(nc);
      // Also when a subscribe came during that look-up.
      if (pumps) startPumps();
    },
  });
  const ends = setInterval(() => {
    if (!pumps && connection && !connection.isClosed()) void positions.lookUpEnds(connection);
  }, ENDS_EVERY_MS);
  ends.unref();

  function startPumps(): void {
    pumps?.abort();
    const current = new AbortController();
    pumps = current;
    const nc = connection;
    if (!nc || nc.isClosed()) return; // onConnect starts them
    const signal = AbortSignal.any([stopping.signal, current.signal]);
    for (const stream of LIVE_STREAMS) void pump(nc, stream, signal);
  }

  function stopPumps(): void {
    pumps?.abort();
    pumps = undefined;
    positions.stop();
  }

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
        const next = await positions.resumeFrom(nc, stream);
        if (signal.aborted) return;
        // Kept before the first message arrives, so a reconnect before then skips nothing either.
        positions.seen(stream, next);
        if (positions.taken()) for (const tell of [...positioned]) tell();
        const consumer = await jetstream(nc).consumers.get(stream, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: next,
        });
        const messages = await consumer.consume();
        // Stopped (idle, reconnect, shutdown): the server's consumer goes too, not 5 minutes later.
        const close = () => {
          void messages.close();
          void Promise.resolve()
            .then(() => consumer.delete())
            .catch(() => undefined);
        };
        if (signal.aborted) close();
        signal.addEventListener('abort', close, { once: true });
        if (warned) log.info({ stream }, 'live order feed resumed');
        warned = false;
        try {
          for await (const message of messages) {
            if (signal.aborted) break; // stopped: a later start takes its own position
            positions.seen(stream, message.seq + 1);
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
      clearTimeout(linger);
      if (!pumps && !stopping.signal.aborted) {
        positions.start();
        startPumps();
      }
      return () => {
        if (!listeners.delete(listener) || listeners.size > 0) return;
        linger = setTimeout(() => listeners.size === 0 && stopPumps(), lingerMs);
        linger.unref();
      };
    },
    reading(timeoutMs = 2_000) {
      if (!pumps || positions.taken()) return Promise.resolve();
      // NATS away: the subscription goes on, and its updates come once the feed reads again.
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          positioned.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        positioned.add(done);
      });
    },
    isReady: () => link.isReady(),
    async close() {
      stopping.abort();
      clearTimeout(linger);
      clearInterval(ends);
      listeners.clear();
      for (const tell of [...positioned]) tell();
      await link.close(1_000);
    },
  };
}
