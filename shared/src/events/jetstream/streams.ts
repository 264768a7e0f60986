import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { DeadLetter } from '../bus.js';

/** A stream a service owns: it creates or updates it at start-up (the publisher owns its stream). */
export interface StreamSpec {
  name: string;
  subjects: string[];
  /** Re-publishes of one event id inside this window are dropped by the server. Default 2 minutes. */
  duplicateWindowMs?: number;
  /** 0 (the default) keeps events forever, so a new consumer or a rebuilt projection can read all history. */
  maxAgeMs?: number;
}

const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;

/** Where every service's dead letters are kept, one subject per service and original subject. */
export const DEAD_LETTERS = { stream: 'DEAD_LETTERS', subjectPrefix: 'deadletter' } as const;

export interface DeadLetterTarget {
  stream: string;
  subjectPrefix: string;
}

export const deadLetterStream = (target: DeadLetterTarget): StreamSpec => ({
  name: target.stream,
  subjects: [`${target.subjectPrefix}.>`],
});

const isApiError = (error: unknown, code: number): boolean => error instanceof JetStreamApiError && error.code === code;

/**
 * Creates the stream, or brings an existing one in line with the spec; idempotent, and safe when
 * several instances start at once. Only settings NATS 2.9 has are used (no subject transforms).
 * `replicas` (NATS_STREAM_REPLICAS) is how many servers of a cluster keep the stream: a stream made
 * with 1 is raised to 3 on the next start with 3 (NATS copies it to the new replicas).
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec, replicas = 1): Promise<void> {
  const wanted = {
    subjects: spec.subjects,
    duplicate_window: nanos(spec.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
    max_age: nanos(spec.maxAgeMs ?? 0),
    num_replicas: replicas,
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const { config } = await jsm.streams.info(spec.name);
      if (!sameSettings(config, wanted)) await jsm.streams.update(spec.name, { ...config, ...wanted });
      return;
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    }
    try {
      await jsm.streams.add({
        name: spec.name,
        ...wanted,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
      });
      return;
    } catch (error) {
      // Another instance created it between our look and our add: look again and update instead.
      if (attempt >= 3) throw error;
    }
  }
}

function sameSettings(
  config: StreamConfig,
  wanted: Pick<StreamConfig, 'subjects' | 'duplicate_window' | 'max_age' | 'num_replicas'>,
) {
  return (
    config.duplicate_window === wanted.duplicate_window &&
    config.num_replicas === wanted.num_replicas &&
    config.max_age === wanted.max_age &&
    [...(config.subjects ?? [])].sort().join() === [...wanted.subjects].sort().join()
  );
}

/** Reads a stream's messages in order (tests, dead-letter inspection); fine for thousands, not millions. */
export async function* readStream(
  jsm: JetStreamManager,
  stream: string,
): AsyncGenerator<{ seq: number; subject: string; data: string; msgId: string | undefined }> {
  const { state } = await jsm.streams.info(stream);
  if (state.messages === 0) return;
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    // null: deleted or expired since the info call.
    const message = await jsm.streams.getMessage(stream, { seq });
    if (!message) continue;
    yield { seq, subject: message.subject, data: message.string(), msgId: message.header?.get('Nats-Msg-Id') };
  }
}

/** The dead letters kept in a stream, oldest first; `subjectPrefix` narrows to one service or subject. */
export async function listDeadLetters(
  jsm: JetStreamManager,
  stream: string,
  subjectPrefix = '',
): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for await (const message of readStream(jsm, stream)) {
    if (message.subject.startsWith(subjectPrefix)) letters.push(JSON.parse(message.data) as DeadLetter);
  }
  return letters;
}
