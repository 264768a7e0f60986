import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { EventEnvelope } from '../events/envelope.js';
import { readStream } from '../events/jetstream/streams.js';

/** Opens a short-lived connection for one look at the server (tests and the benchmark). */
async function withManager<T>(url: string, use: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>) {
  const nc = await connect({ servers: url, name: 'test-inspector' });
  try {
    return await use(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

/** Every event a stream holds, oldest first, with the msg id it was published under. */
export function streamEvents(url: string, stream: string): Promise<(EventEnvelope & { msgId?: string })[]> {
  return withManager(url, async (jsm) => {
    const events: (EventEnvelope & { msgId?: string })[] = [];
    for await (const message of readStream(jsm, stream)) {
      events.push({ ...(JSON.parse(message.data) as EventEnvelope), msgId: message.msgId });
    }
    return events;
  });
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
