import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { RequestContext } from '../auth/context.js';
import { CLIENT_ADDRESS_HEADER, gatewaySecretGuard } from '../auth/gateway-secret.js';
import type { JwtService } from '../auth/jwt.js';
import { verifyViewer } from '../auth/viewer.js';
import { createGraphQLHttpServer, listen, type RunningServer } from '../http/server.js';
import { createErrorFormatter } from './errors.js';

export interface SubgraphServerOptions<TContext extends RequestContext> {
  schema: GraphQLSchema;
  jwt: JwtService;
  gatewaySecret: string;
  log: Logger;
  production: boolean;
  /** Probes for `/ready`: what the subgraph cannot work without (its database). */
  readiness: Record<string, () => Promise<unknown>>;
  /** What `/health` reports besides `status: ok`, e.g. the database and NATS connections. */
  health?: () => Record<string, unknown>;
  /** Adds the service's per-request state, such as a forked EntityManager. */
  createContext: (base: RequestContext) => TContext;
}

/** Starts a subgraph on `/graphql` behind the gateway-secret check; `port` 0 picks a free one. */
export async function startSubgraphServer<TContext extends RequestContext>(
  options: SubgraphServerOptions<TContext>,
  port: number,
): Promise<RunningServer> {
  const apollo = new ApolloServer<TContext>({
    schema: options.schema,
    formatError: createErrorFormatter(options.production),
    includeStacktraceInErrorResponses: !options.production,
    hideSchemaDetailsFromClientErrors: true,
    // The gateway composes from `_service`, not introspection; introspection is a development aid.
    introspection: !options.production,
    // Inline traces feed Apollo Studio, which this platform does not use: pure per-request overhead.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    // runService owns the signals, so shutdown has one order: HTTP server first, then Apollo.
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  const server = createGraphQLHttpServer<TContext>({
    apollo,
    log: options.log,
    readiness: options.readiness,
    health: options.health,
    guard: gatewaySecretGuard(options.gatewaySecret),
    context: async ({ headers, requestId, remoteAddress, log }) => {
      const viewer = await verifyViewer(options.jwt, headers.authorization);
      // Trusted only because the gateway secret was checked before this runs.
      const forwarded = headers[CLIENT_ADDRESS_HEADER];
      const clientAddress = typeof forwarded === 'string' && forwarded !== '' ? forwarded : remoteAddress;
      return options.createContext({
        viewer,
        requestId,
        clientAddress,
        log: log.child({ viewer: viewer?.customerId }),
      });
    },
  });
  const running = await listen(server, port);
  return {
    ...running,
    async close() {
      await running.close();
      await apollo.stop();
    },
  };
}
