import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { MikroORM } from '@mikro-orm/postgresql';

/**
 * How far a durable consumer got, kept in the consuming service's own database: every message of
 * the stream up to `ackFloor` has been handled (acknowledged, or dead-lettered) by this consumer.
 * When the durable consumer has to be created again (deleted, or lost with the server's storage),
 * it starts after this position instead of at the stream's first event, so an event is never
 * applied twice however old it is; the inbox covers the few handled events above the position.
 * The position lives with the data it describes: a new database has none, and reads all history.
 */
@Entity({ tableName: 'consumer_positions' })
export class ConsumerPosition {
  @PrimaryKey({ type: 'text' })
  consumer!: string;

  @Property({ type: 'text' })
  stream!: string;

  /** When the stream was created (the server's timestamp): a stream created again starts its sequence anew. */
  @Property({ type: 'text' })
  streamCreated!: string;

  @Property({ type: 'bigint' })
  ackFloor!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt!: Date & Opt;
}

/** Where consumers keep their positions; the JetStream bus asks it when it creates a durable consumer. */
export interface PositionStore {
  /** The recorded ack floor of `consumer` in this incarnation of `stream`, if any. */
  load(consumer: string, stream: string, streamCreated: string): Promise<number | undefined>;
  /** Records a newer ack floor (an older one never overwrites it). */
  save(consumer: string, stream: string, streamCreated: string, ackFloor: number): Promise<void>;
}

export function databasePositions(orm: MikroORM): PositionStore {
  return {
    async load(consumer, stream, streamCreated) {
      const rows: { ack_floor: string }[] = await orm.em
        .fork()
        .getConnection()
        .execute('select ack_floor from consumer_positions where consumer = ? and stream = ? and stream_created = ?', [
          consumer,
          stream,
          streamCreated,
        ]);
      return rows[0] ? Number(rows[0].ack_floor) : undefined;
    },
    async save(consumer, stream, streamCreated, ackFloor) {
      await orm.em.fork().transactional(async (em) => {
        const connection = em.getConnection();
        const context = em.getTransactionContext();
        const [previous]: { stream: string; stream_created: string }[] = await connection.execute(
          'select stream, stream_created from consumer_positions where consumer = ? for update',
          [consumer],
          'all',
          context,
        );
        if (previous && (previous.stream !== stream || previous.stream_created !== streamCreated)) {
          // The stream was created anew: the sequences kept so far belong to the old one.
          await connection.execute(
            'update inbox_messages set stream_seq = null where consumer = ?',
            [consumer],
            'run',
            context,
          );
        }
        await connection.execute(
          `insert into consumer_positions (consumer, stream, stream_created, ack_floor) values (?, ?, ?, ?)
           on conflict (consumer) do update set
             ack_floor = case when consumer_positions.stream = excluded.stream
                               and consumer_positions.stream_created = excluded.stream_created
                              then greatest(consumer_positions.ack_floor, excluded.ack_floor)
                              else excluded.ack_floor end,
             stream = excluded.stream, stream_created = excluded.stream_created, updated_at = now()`,
          [consumer, stream, streamCreated, ackFloor],
          'run',
          context,
        );
      });
    },
  };
}
