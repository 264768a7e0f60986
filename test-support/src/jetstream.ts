import { createEnvelope, type EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import { JetStreamEventBus } from '@commerce-supergraph/shared/events/jetstream/bus';
import { natsConnectOptions } from '@commerce-supergraph/shared/events/jetstream/nats-auth';
import { ensureStream, readStream, type StreamSpec } from '@commerce-supergraph/shared/events/jetstream/streams';
import { createLogger } from '@commerce-supergraph/shared/logging';
import type { NatsAuth } from '@commerce-supergraph/shared/nats-config';
import { JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** A connection of a test's own; `auth` for a server with authorization (see nats-authorization.ts). */
const connectTo = (url: string, name: string, auth?: NatsAuth) =>
  connect({ ...natsConnectOptions(url, auth), servers: url, name });

/** Opens a short-lived connection for one look at the server (tests and the benchmark). */
async function withManager<T>(
  url: string,
  use: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>,
  auth?: NatsAuth,
) {
  const nc = await connectTo(url, 'test-inspector', auth);
  try {
    return await use(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

/** Every event a stream holds, oldest first, with the msg id it was published under. */
export function streamEvents(
  url: string,
  stream: string,
  auth?: NatsAuth,
): Promise<(EventEnvelope & { msgId?: string })[]> {
  return withManager(
    url,
    async (jsm) => {
      const events: (EventEnvelope & { msgId?: string })[] = [];
      for await (const message of readStream(jsm, stream)) {
        events.push({ ...(JSON.parse(message.data) as EventEnvelope), msgId: message.msgId });
      }
      return events;
    },
    auth,
  );
}

/** Deletes test streams (their consumers go with them); missing ones are fine. */
export function deleteStreams(url: string, streams: string[]): Promise<void> {
  return withManager(url, async (jsm) => {
    for (const stream of streams) {
      await jsm.streams.delete(stream).catch((error: unknown) => {
        if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
      });
    }
  });
}

/**
 * Stores an envelope with no msg id, so the server keeps every copy: what a re-publish after the
 * duplicate window looks like to a consumer. For tests of handlers that must survive redelivery.
 */
export function publishWithoutMsgId(url: string, envelope: EventEnvelope, auth?: NatsAuth): Promise<void> {
  return publishRaw(url, envelope.type, JSON.stringify(envelope), auth);
}

/** Stores a payload as it is (no msg id) on a subject: a malformed message, a dead letter kept twice. */
export async function publishRaw(url: string, subject: string, payload: string, auth?: NatsAuth): Promise<void> {
  const nc = await connectTo(url, 'test-publisher', auth);
  try {
    await jetstream(nc).publish(subject, payload);
  } finally {
    await nc.close();
  }
}

/** What a durable consumer still has to do: messages not delivered yet, and delivered but not acknowledged. */
export function consumerBacklog(
  url: string,
  stream: string,
  consumer: string,
  auth?: NatsAuth,
): Promise<{ pending: number; ackPending: number }> {
  return withManager(
    url,
    async (jsm) => {
      const info = await jsm.consumers.info(stream, consumer);
      return { pending: info.num_pending, ackPending: info.num_ack_pending };
    },
    auth,
  );
}

export interface StandInPublisher {
  /** Publishes an envelope as the stood-in service's outbox relay would (msg id = event id). */
  publish<TData>(subject: string, data: TData): Promise<EventEnvelope<TData>>;
  close(): Promise<void>;
}

/**
 * Publishes as another service would, for tests of consumers whose publisher is not running. It
 * creates the streams only where they are missing: when the real owner runs too, its settings stay.
 */
export async function openStandInPublisher(
  url: string,
  source: string,
  streams: StreamSpec[],
): Promise<StandInPublisher> {
  await withManager(url, async (jsm) => {
    for (const spec of streams) {
      await jsm.streams.info(spec.name).catch(async (error: unknown) => {
        if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
        await ensureStream(jsm, spec);
      });
    }
  });
  const bus = new JetStreamEventBus({ url, service: `${source}-stand-in`, log: createLogger(`${source}-stand-in`) });
  bus.start();
  await bus.whenConnected();
  return {
    async publish<TData>(subject: string, data: TData) {
      const envelope = createEnvelope({ subject, data, source, correlationId: `test-${source}` });
      await bus.publish(envelope);
      return envelope;
    },
    close: () => bus.close(),
  };
}
