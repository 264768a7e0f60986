import type { NatsConnection } from '@nats-io/transport-node';

/** The part of nats.js's connection internals (`nc.protocol`, nats-core's ProtocolHandler) this touches. */
interface Protocol {
  flushPending(): void;
  outbound: { size(): number };
  pendingLimit: number;
}

/**
 * Makes a connection write once per event-loop turn instead of once per chain of microtasks.
 *
 * nats.js queues what is sent (a publish, an ack, a pull) and writes it to the socket when the
 * current chain of microtasks ends. A handler's acknowledgement and the publish of the event its
 * transaction committed come from one database answer but end two chains, so they went out as two
 * socket writes; so did a burst's acks, one chain each. A write to a local peer is among the
 * costliest calls a service makes here (it wakes the peer: a fifth of a subgraph's CPU in
 * bench:orders went to socket writes). Flushing in setImmediate, after the turn's I/O callbacks and
 * their microtasks, sends them in one write and delays none past the turn.
 *
 * What is queued past nats.js's own limit (`pendingLimit`) still goes at once, as before. A plain
 * `close()` drops what the turn queued (it destroys the socket without writing); NatsLink closes
 * with `drain()`, which writes it all and waits for the server's answer.
 *
 * Returns false, changing nothing, if the client no longer has what this wraps (a nats.js upgrade):
 * write-coalescing.int.test.ts then fails, so the upgrade cannot drop it unnoticed.
 */
export function coalesceWrites(nc: NatsConnection): boolean {
  const protocol = (nc as unknown as { protocol?: Protocol }).protocol;
  if (typeof protocol?.flushPending !== 'function' || typeof protocol.outbound?.size !== 'function') return false;
  const flush = protocol.flushPending.bind(protocol);
  let scheduled = false;
  protocol.flushPending = () => {
    if (protocol.outbound.size() >= protocol.pendingLimit) return flush();
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flush();
    });
  };
  return true;
}
