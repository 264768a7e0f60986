import type { MikroORM } from '@mikro-orm/core';
import type { EventHandler } from '../events/bus.js';
import type { JetStreamEventBus } from '../events/jetstream/bus.js';
import type { ServiceMetrics } from './metrics.js';

/** The parts of `pg`'s pool read here (the package ships no types of its own). */
interface PgPoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

/** Pool usage: connections in use, idle, callers waiting for one, and the maximum. */
export function registerDatabaseMetrics(metrics: ServiceMetrics, orm: MikroORM): void {
  const pool = async () => (await orm.em.getConnection().getNativeClient()) as unknown as PgPoolStats;
  metrics.gauge(
    {
      name: 'db_pool_connections',
      help: 'Database pool connections by state (in_use, idle, waiting callers)',
      labelNames: ['state'],
    },
    async (set) => {
      const { totalCount, idleCount, waitingCount } = await pool();
      set({ state: 'in_use' }, totalCount - idleCount);
      set({ state: 'idle' }, idleCount);
      set({ state: 'waiting' }, waitingCount);
    },
  );
  metrics.gauge({ name: 'db_pool_max_connections', help: 'The most connections the pool opens' }, async (set) => {
    const max = (await pool()).options?.max;
    if (max !== undefined) set({}, max);
  });
}

/** How long one outbox reading is reused: both gauges come from one query per scrape. */
const OUTBOX_READING_MS = 1_000;

/** The outbox's unpublished rows and the age of the oldest: a relay or NATS problem shows here first. */
export function registerOutboxMetrics(metrics: ServiceMetrics, orm: MikroORM): void {
  let reading: { at: number; value: Promise<{ backlog: number; oldestSeconds: number }> } | undefined;
  const read = () => {
    if (!reading || Date.now() - reading.at > OUTBOX_READING_MS) {
      const value = orm.em
        .fork()
        .getConnection()
        .execute<{ backlog: string; oldest: string | null }[]>(
          `select count(*) as backlog, extract(epoch from now() - min(created_at)) as oldest
             from outbox_messages where published_at is null`,
        )
        .then(([row]) => ({ backlog: Number(row?.backlog ?? 0), oldestSeconds: Number(row?.oldest ?? 0) }));
      reading = { at: Date.now(), value };
      value.catch(() => {
        reading = undefined;
      });
    }
    return reading.value;
  };
  metrics.gauge(
    { name: 'outbox_backlog_messages', help: 'Events committed to the outbox and not yet published' },
    async (set) => set({}, (await read()).backlog),
  );
  metrics.gauge(
    {
      name: 'outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest unpublished outbox event; 0 when none waits',
    },
    async (set) => set({}, Math.max(0, (await read()).oldestSeconds)),
  );
}

/** Consumer lag as the server sees it: messages not yet delivered, and delivered but not acknowledged. */
export function registerConsumerMetrics(metrics: ServiceMetrics, bus: JetStreamEventBus): void {
  metrics.gauge(
    {
      name: 'event_consumer_lag_messages',
      help: 'Messages of a durable consumer by state: pending (not yet delivered) and ack_pending (delivered, unanswered)',
      labelNames: ['consumer', 'stream', 'state'],
    },
    async (set) => {
      for (const { consumer, stream, pending, ackPending } of await bus.consumerLag()) {
        set({ consumer, stream, state: 'pending' }, pending);
        set({ consumer, stream, state: 'ack_pending' }, ackPending);
      }
    },
  );
}

/** Times every handling of an event, by consumer and outcome; the handler's own result passes through. */
export function timedHandler(metrics: ServiceMetrics, handler: EventHandler): EventHandler {
  return async (envelope, delivery) => {
    const end = metrics.eventHandlingDuration.startTimer({ consumer: delivery.consumer });
    try {
      await handler(envelope, delivery);
      end({ outcome: 'ok' });
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  };
}
