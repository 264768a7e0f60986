import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import { connect } from '@nats-io/transport-node';

export interface EventWatch {
  /** Resolves once the server has the subscriptions, so no event published after this is missed. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Sees events as they are published, without a consumer of its own: a plain NATS subscription
 * receives every JetStream publish on its subjects. For benchmarks and tests that time events;
 * it sees only what is published while it runs (use streamEvents for history). `auth`: a user and
 * password on a server with authorization (the orders bench watches as the `operator` user).
 */
export function watchEvents(
  url: string,
  subjects: string[],
  onEvent: (envelope: EventEnvelope) => void,
  auth: { user?: string; password?: string } = {},
): EventWatch {
  const connection = connect({ servers: url, name: 'event-watch', user: auth.user, pass: auth.password });
  const ready = connection.then(async (nc) => {
    for (const subject of subjects) {
      nc.subscribe(subject, { callback: (_error, message) => onEvent(message.json<EventEnvelope>()) });
    }
    await nc.flush();
  });
  return {
    ready,
    async close() {
      await (await connection).close();
    },
  };
}
