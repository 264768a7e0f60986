import { ApolloClient, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient } from 'graphql-ws';

export interface Received<T> {
  value: T;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/**
 * Apollo Client as a frontend runs it, on the gateway's graphql-ws endpoint (the same origin and path
 * as HTTP), with the token in the connection params. `closes` records how the server ended the socket.
 */
export function liveClient(gatewayUrl: string, token: string) {
  const closes: number[] = [];
  const ws = createClient({
    url: gatewayUrl.replace(/^http/, 'ws'),
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    on: { closed: (event) => void closes.push((event as CloseEvent).code) },
  });
  // No deduplication: a test that subscribes twice on one connection means two subscriptions.
  const client = new ApolloClient({
    link: new GraphQLWsLink(ws),
    cache: new InMemoryCache(),
    queryDeduplication: false,
  });
  return {
    client,
    closes,
    async stop() {
      client.stop();
      await ws.dispose();
    },
  };
}

/** Collects what a subscription pushes, and the error that ends it, if one does. */
export function collect<T>(
  observable: {
    subscribe(observer: { next(value: { data?: unknown; error?: unknown }): void; error(error: unknown): void }): {
      unsubscribe(): void;
    };
  },
  pick: (data: any) => T,
) {
  const received: Received<T>[] = [];
  const state: { error: unknown } = { error: undefined };
  const subscription = observable.subscribe({
    next: (result) => {
      if (result.error) state.error = result.error;
      else if (result.data) received.push({ value: pick(result.data), at: Date.now() });
    },
    error: (error) => {
      state.error = error;
    },
  });
  return { received, state, unsubscribe: () => subscription.unsubscribe() };
}
