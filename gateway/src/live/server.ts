import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TokenVerifier, Viewer } from '@commerce-supergraph/shared/auth/jwt';
import { verifyViewer } from '@commerce-supergraph/shared/auth/viewer';
import { type DocumentNode, GraphQLError, type GraphQLSchema, getOperationAST, parse, validate } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type { OrderFeed } from './feed.js';
import { createSubscriptionRoot, type LiveCaller, type LiveLimits, type OrderSnapshot } from './subscriptions.js';

export interface LiveServerOptions {
  server: Server;
  /** The API schema with the subscriptions (undefined until the supergraph is loaded). */
  schema: () => GraphQLSchema | undefined;
  tokens: TokenVerifier;
  feed: OrderFeed;
  snapshot: (viewer: Viewer) => OrderSnapshot;
  limits: LiveLimits & { connections: number; keepAliveMs: number };
  production: boolean;
  log: Logger;
}

/** Close codes the client can act on: 4401 means "sign in again", as in graphql-ws's own 4401. */
const TOKEN_REFUSED = 4401;
const GOING_AWAY = 1001;
const MAX_MESSAGE_BYTES = 16 * 1024;

/**
 * graphql-ws on the gateway's own `/graphql`: the same origin as HTTP, so a browser needs no CORS.
 * A connection is authenticated once, by the JWT in its connection params, and closed with 4401 the
 * moment that token expires; graphql-ws pings every `keepAliveMs` and drops a peer that stops
 * answering. Only subscriptions run here: queries and mutations go over HTTP, through every limit.
 */
export function attachLiveServer(options: LiveServerOptions) {
  const { log, limits } = options;
  const root = createSubscriptionRoot(options.feed, options.snapshot, limits);
  const callers = new WeakMap<WebSocket, LiveCaller & { expiry: NodeJS.Timeout }>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== '/graphql' || wss.clients.size >= limits.connections) {
      socket.end(`HTTP/1.1 ${path === '/graphql' ? '503 Service Unavailable' : '404 Not Found'}\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  options.server.on('upgrade', onUpgrade);

  const graphqlWs = useServer(
    {
      isProd: options.production,
      connectionInitWaitTimeout: 5_000,
      onConnect: (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = params.authorization ?? params.Authorization;
        const authorization = typeof header === 'string' ? header : undefined;
        let viewer: Viewer | undefined;
        try {
          viewer = verifyViewer(options.tokens, authorization);
        } catch {
          viewer = undefined;
        }
        const expiresAt = authorization ? expiryOf(authorization) : undefined;
        if (!viewer || !authorization || expiresAt === undefined) {
          ctx.extra.socket.close(TOKEN_REFUSED, 'Unauthorized: a valid token is required');
          return false;
        }
        const socket = ctx.extra.socket;
        const expiry = setTimeout(
          () => socket.close(TOKEN_REFUSED, 'Unauthorized: token expired'),
          expiresAt - Date.now(),
        );
        expiry.unref();
        callers.set(socket, { viewer, authorization, active: { count: 0 }, expiry });
        log.debug({ viewer: viewer.customerId }, 'live connection opened');
        return true;
      },
      onClose: (ctx) => {
        const caller = callers.get(ctx.extra.socket);
        if (caller) clearTimeout(caller.expiry);
      },
      onSubscribe: (ctx, _id, payload) => {
        const schema = options.schema();
        const caller = callers.get(ctx.extra.socket);
        if (!schema || !caller) return [new GraphQLError('The live API is not ready yet')];
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: 500 });
        } catch (error) {
          return [error as GraphQLError];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors.slice(0, 10);
        if (getOperationAST(document, payload.operationName)?.operation !== 'subscription') {
          return [
            new GraphQLError('Only subscriptions are served over WebSocket; send queries and mutations over HTTP'),
          ];
        }
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue: caller,
          rootValue: {
            orderUpdated: (args: { orderId: string }) => root.orderUpdated(args, caller),
            myOrderUpdates: () => root.myOrderUpdates({}, caller),
          },
        };
      },
    },
    wss,
    limits.keepAliveMs,
  );

  return {
    connections: () => wss.clients.size,
    customers: root.customers,
    /** Ends every live connection with 1001 (clients reconnect to another gateway), then stops accepting. */
    async close(): Promise<void> {
      options.server.off('upgrade', onUpgrade);
      for (const socket of wss.clients) socket.close(GOING_AWAY, 'The gateway is shutting down');
      await graphqlWs.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** When a verified token expires (ms since the epoch), read from its `exp` claim. */
function expiryOf(authorization: string): number | undefined {
  const payload = authorization.replace(/^Bearer\s+/i, '').split('.')[1];
  if (!payload) return undefined;
  try {
    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
