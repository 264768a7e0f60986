import { Writable } from 'node:stream';
import { dropDatabase, TEST_DATABASE_URL, testDatabaseName } from '@commerce-supergraph/test-support/database';
import { deleteStreams } from '@commerce-supergraph/test-support/jetstream';
import { uniqueName } from '@commerce-supergraph/test-support/names';
import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { MikroORM } from '@mikro-orm/postgresql';
import { type Logger, pino } from 'pino';
import { ormOptions } from '../../src/db/orm.js';
import type { Delivery } from '../../src/events/bus.js';
import { createEnvelope, type EventEnvelope } from '../../src/events/envelope.js';
import { InboxMessage } from '../../src/events/inbox.js';
import { JetStreamEventBus, type JetStreamEventBusOptions } from '../../src/events/jetstream/bus.js';
import { OutboxMessage } from '../../src/events/outbox.js';
import { ConsumerPosition } from '../../src/events/positions.js';

/** A consumer's data in these tests: a counter per key, so "changed once" is a number. */
@Entity({ tableName: 'tallies' })
export class Tally {
  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: 'integer' })
  count!: number;
}

export const silentLog = (): Logger => pino({ level: 'silent' });

/** For inbox tests: event `n` (its data `{ n }`) on `subject`, and a first delivery of it to `consumer`. */
export function numberedEvents(consumer: string, subject: string) {
  return {
    event: (n: number): EventEnvelope =>
      createEnvelope({ subject, data: { n }, source: consumer, correlationId: `req-${n}` }),
    delivery: (streamSequence: number): Delivery => ({
      consumer,
      deliveryCount: 1,
      streamSequence,
      log: silentLog(),
    }),
  };
}

/** A logger that keeps its JSON lines, to check what a consumer logs. */
export function capturingLog(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines };
}

export interface TestDatabase {
  orm: MikroORM;
  dbName: string;
  /** A second ORM (its own pool) on the same database: what a second instance of a service has. */
  openAnother(): Promise<MikroORM>;
  dispose(): Promise<void>;
}

/**
 * A database of its own with the outbox, the inbox, consumer positions and the tally table, named
 * after `prefix`; `poolMax` 1 makes every transaction of `orm` reuse one connection.
 */
export async function openTestDatabase({
  prefix = 'events',
  poolMax,
}: {
  prefix?: string;
  poolMax?: number;
} = {}): Promise<TestDatabase> {
  const dbName = testDatabaseName(prefix);
  const options = () =>
    ormOptions({
      url: TEST_DATABASE_URL,
      dbName,
      entities: [OutboxMessage, InboxMessage, ConsumerPosition, Tally],
      migrations: [],
      log: silentLog(),
      poolMax,
    });
  const orm = await MikroORM.init(options());
  await orm.schema.ensureDatabase();
  await orm.schema.create();
  const others: MikroORM[] = [];
  return {
    orm,
    dbName,
    async openAnother() {
      const other = await MikroORM.init(options());
      others.push(other);
      return other;
    },
    async dispose() {
      for (const other of others) await other.close(true);
      await orm.close(true);
      await dropDatabase(dbName);
    },
  };
}

export async function tally(orm: MikroORM, key: string): Promise<number | undefined> {
  return (await orm.em.fork().findOne(Tally, { key }))?.count;
}

export interface TestBus {
  bus: JetStreamEventBus;
  stream: string;
  deadLetters: { stream: string; subjectPrefix: string };
  subject(entity: string, verb: string): string;
  /** Another connection (another instance, or the same service with other settings) on the same streams. */
  openAnother(overrides?: Partial<JetStreamEventBusOptions>): Promise<JetStreamEventBus>;
  dispose(): Promise<void>;
}

/** A JetStream bus on the machine's NATS with a stream, subject domain and dead-letter stream of its own. */
export async function openTestBus(
  service: string,
  options: Partial<JetStreamEventBusOptions> = {},
  url = TEST_NATS_URL,
): Promise<TestBus> {
  const domain = uniqueName('ev');
  const stream = domain.toUpperCase();
  const deadLetters = { stream: `${stream}_DL`, subjectPrefix: `${domain}_dl` };
  const buses: JetStreamEventBus[] = [];
  const open = async (overrides: Partial<JetStreamEventBusOptions>) => {
    const bus = new JetStreamEventBus({
      url,
      service,
      log: silentLog(),
      streams: [{ name: stream, subjects: [`${domain}.>`] }],
      deadLetters,
      reconnectWaitMs: 100,
      reconnectJitterMs: 50,
      ...options,
      ...overrides,
    });
    buses.push(bus);
    bus.start();
    await bus.whenConnected();
    return bus;
  };
  const bus = await open({});
  return {
    bus,
    stream,
    deadLetters,
    subject: (entity, verb) => `${domain}.${entity}.${verb}.v1`,
    openAnother: (overrides = {}) => open(overrides),
    async dispose() {
      for (const each of buses) await each.close();
      await deleteStreams(url, [stream, deadLetters.stream]);
    },
  };
}
