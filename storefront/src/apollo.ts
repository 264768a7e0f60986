import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';
import { currentToken, onTokenExpired } from './session.tsx';

/**
 * One client for the gateway's one endpoint on this origin: queries and mutations over HTTP,
 * subscriptions over graphql-ws on the same path. Both carry the session's JWT; the WebSocket
 * sends it as connection params, since browsers cannot set headers on one.
 */
export function createApolloClient(): ApolloClient {
  const http = new HttpLink({ uri: '/graphql' });
  const auth = new SetContextLink((previous) => {
    const token = currentToken();
    return token ? { headers: { ...previous.headers, authorization: `Bearer ${token}` } } : {};
  });
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const ws = new GraphQLWsLink(
    createClient({
      url: wsUrl,
      connectionParams: () => {
        const token = currentToken();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      // 4401: the token expired or was refused: log out rather than reconnect with it again.
      on: {
        closed: (event) => {
          if ((event as CloseEvent | undefined)?.code === 4401) onTokenExpired();
        },
      },
      retryAttempts: 20,
      lazy: true,
    }),
  );
  const isSubscription = ({ query }: ApolloLink.Operation) => {
    const definition = getMainDefinition(query);
    return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
  };
  return new ApolloClient({
    link: ApolloLink.split(isSubscription, ws, ApolloLink.from([auth, http])),
    cache: new InMemoryCache({
      typePolicies: {
        // Live updates are keyed by the order they report, not cached as entities of their own.
        OrderUpdate: { keyFields: false },
      },
    }),
  });
}
