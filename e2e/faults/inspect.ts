import { natsServers } from '@commerce-supergraph/shared/nats-config';
import { MikroORM } from '@mikro-orm/postgresql';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/**
 * Reads what the services stored, from outside them: the suite's private PostgreSQL (one pool per
 * database, reopened after an error such as a restart) and its private NATS.
 */
export class Databases {
  private readonly pools = new Map<string, Promise<MikroORM>>();
  private readonly serverUrl: string;

  constructor(serverUrl: string) {
    this.serverUrl = serverUrl;
  }

  async query<T = Record<string, unknown>>(dbName: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const orm = await this.open(dbName);
    try {
      return await orm.em.getConnection().execute<T[]>(sql, params);
    } catch (error) {
      // A broken pool (the server restarted) is dropped; the next query opens a new one.
      this.pools.delete(dbName);
      await orm.close(true).catch(() => undefined);
      throw error;
    }
  }

  private open(dbName: string): Promise<MikroORM> {
    let pool = this.pools.get(dbName);
    if (!pool) {
      const url = new URL(this.serverUrl);
      url.pathname = `/${dbName}`;
      pool = MikroORM.init({
        clientUrl: url.toString(),
        entities: [],
        discovery: { warnWhenNoEntities: false },
        ensureDatabase: false,
        pool: { min: 0, max: 2 },
      });
      pool.catch(() => this.pools.delete(dbName));
      this.pools.set(dbName, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map(async (pool) => (await pool.catch(() => undefined))?.close(true)));
  }
}

export interface DeadLetterSummary {
  subject: string;
  consumer?: string;
  eventId?: string;
  deliveryCount?: number;
  error?: string;
}

export interface ConsumerState {
  stream: string;
  name: string;
  pending: number;
  ackPending: number;
  redelivered: number;
  /**
   * A service's durable consumer; the others are the gateways' ordered (ephemeral) consumers, which
   * read without acknowledging and, when their server dies, are re-created under a new name while
   * the old one lingers unread until the server drops it (after 5 minutes without interest).
   */
  durable: boolean;
}

/**
 * The suite's NATS as the inspector reaches it: a user of its own beside the services' users, since
 * those may not list streams and consumers (deploy/nats/authorization.conf).
 */
export interface NatsTarget {
  url: string;
  user?: string;
  password?: string;
}

/** Opens a short connection to the suite's NATS for one look. */
async function withManager<T>(
  target: NatsTarget,
  use: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>,
) {
  const nc = await connect({
    servers: natsServers(target.url),
    user: target.user,
    pass: target.password,
    name: 'fault-suite-inspector',
    reconnect: false,
    timeout: 5000,
  });
  try {
    return await use(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

/** Every stream name and its consumers' names. */
export function streamsAndConsumers(target: NatsTarget): Promise<Map<string, string[]>> {
  return withManager(target, async (jsm) => {
    const result = new Map<string, string[]>();
    for await (const stream of jsm.streams.list()) {
      const names: string[] = [];
      for await (const consumer of jsm.consumers.list(stream.config.name)) names.push(consumer.name);
      result.set(stream.config.name, names);
    }
    return result;
  });
}

/** What every consumer still has to do: undelivered messages, unacknowledged ones, redeliveries. */
export function consumerStates(target: NatsTarget): Promise<ConsumerState[]> {
  return withManager(target, async (jsm) => {
    const states: ConsumerState[] = [];
    for await (const stream of jsm.streams.list()) {
      for await (const consumer of jsm.consumers.list(stream.config.name)) {
        states.push({
          stream: stream.config.name,
          name: consumer.name,
          pending: consumer.num_pending,
          ackPending: consumer.num_ack_pending,
          redelivered: consumer.num_redelivered,
          durable: Boolean(consumer.config.durable_name),
        });
      }
    }
    return states;
  });
}

/**
 * How often each event id (the Nats-Msg-Id the relays publish with) is stored across every stream
 * but DEAD_LETTERS: what the outbox relays put on the bus, each copy counted.
 */
export function storedEventIds(target: NatsTarget): Promise<Map<string, number>> {
  return withManager(target, async (jsm) => {
    const counts = new Map<string, number>();
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name === 'DEAD_LETTERS' || stream.state.messages === 0) continue;
      for (let seq = stream.state.first_seq; seq <= stream.state.last_seq; seq++) {
        const message = await jsm.streams.getMessage(stream.config.name, { seq });
        const id = message?.header?.get('Nats-Msg-Id');
        if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    return counts;
  });
}

/** Each stream's replicas as configured, and the servers that hold a current copy (the leader and the replicas keeping up). */
export function streamCopies(
  target: NatsTarget,
): Promise<Map<string, { replicas: number; leader?: string; current: string[] }>> {
  return withManager(target, async (jsm) => {
    const copies = new Map<string, { replicas: number; leader?: string; current: string[] }>();
    for await (const stream of jsm.streams.list()) {
      const cluster = stream.cluster;
      const current = [
        ...(cluster?.leader ? [cluster.leader] : []),
        ...(cluster?.replicas ?? []).filter((replica) => replica.current && !replica.offline).map((r) => r.name),
      ];
      copies.set(stream.config.name, { replicas: stream.config.num_replicas, leader: cluster?.leader, current });
    }
    return copies;
  });
}

/** The messages of DEAD_LETTERS (shared/src/events/jetstream/streams.ts); none when the stream does not exist. */
export function deadLetters(target: NatsTarget, stream = 'DEAD_LETTERS'): Promise<DeadLetterSummary[]> {
  return withManager(target, async (jsm) => {
    const info = await jsm.streams.info(stream).catch(() => undefined);
    if (!info || info.state.messages === 0) return [];
    const letters: DeadLetterSummary[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (!message) continue;
      let body: Partial<DeadLetterSummary> = {};
      try {
        body = JSON.parse(message.string()) as Partial<DeadLetterSummary>;
      } catch {
        // not a dead letter as the bus writes them; the subject says enough
      }
      letters.push({
        subject: message.subject,
        consumer: body.consumer,
        eventId: body.eventId,
        deliveryCount: body.deliveryCount,
        error: body.error,
      });
    }
    return letters;
  });
}
