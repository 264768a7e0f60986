import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { RequestContext } from '../auth/context.js';
import { CLIENT_ADDRESS_HEADER, gatewaySecretGuard } from '../auth/gateway-secret.js';
import type { TokenVerifier } from '../auth/jwt.js';
import { verifyViewer } from '../auth/viewer.js';
import type { EventLoopPressure } from '../http/load-shedding.js';
import { createGraphQLHttpServer, listen, type RunningServer } from '../http/server.js';
import { graphqlMetricsPlugin } from '../observability/graphql-metrics.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import type { MetricsEndpoint } from '../observability/metrics-endpoint.js';
import { guardEntityRepresentations } from './entity-representations.js';
import { createErrorFormatter, errorLoggingPlugin } from './errors.js';
import { REQUEST_VALIDATION_OPTIONS, requestErrorPlugins } from './request-errors.js';

/**
 * How long a subgraph keeps an idle keep-alive connection open. The gateway closes its own idle
 * connections well before (GATEWAY_SUBGRAPH_KEEP_ALIVE_MS, at most this minus
 * SUBGRAPH_KEEP_ALIVE_MARGIN_MS), so it never sends a request on a connection the subgraph is
 * closing at that very moment: the race that made requests fail with "socket hang up" (issue #16).
 */
export const SUBGRAPH_KEEP_ALIVE_TIMEOUT_MS = 10_000;
/** The least the gateway's idle timeout stays below the subgraphs' keep-alive timeout. */
export const SUBGRAPH_KEEP_ALIVE_MARGIN_MS = 2_000;

export interface SubgraphServerOptions<TContext extends RequestContext> {
  schema: GraphQLSchema;
  tokens: TokenVerifier;
  gatewaySecret: string;
  log: Logger;
  production: boolean;
  /** Probes for `/ready`: what the subgraph cannot work without (its database). */
  readiness: Record<string, () => Promise<unknown>>;
  /** What `/health` reports besides `status: ok`, e.g. the database and NATS connections. */
  health?: () => Record<string, unknown>;
  /** Adds the service's per-request state, such as a forked EntityManager. */
  createContext: (base: RequestContext) => TContext;
  /** Idle keep-alive timeout of the HTTP server; tests shorten it. Default SUBGRAPH_KEEP_ALIVE_TIMEOUT_MS. */
  keepAliveTimeoutMs?: number;
  /** Counts requests, latency and errors per operation. */
  metrics?: ServiceMetrics;
  /** Serves `/metrics` on this port too (development, or with METRICS_TOKEN). */
  metricsEndpoint?: MetricsEndpoint;
  /** The subgraph's name, on its trace spans. */
  service?: string;
  /** Refuses new requests while the event loop is overloaded. */
  pressure?: EventLoopPressure;
}

/** Starts a subgraph on `/graphql` behind the gateway-secret check; `port` 0 picks a free one. */
export async function startSubgraphServer<TContext extends RequestContext>(
  options: SubgraphServerOptions<TContext>,
  port: number,
): Promise<RunningServer> {
  const apollo = new ApolloServer<TContext>({
    schema: guardEntityRepresentations(options.schema),
    formatError: createErrorFormatter(options.production),
    includeStacktraceInErrorResponses: !options.production,
    hideSchemaDetailsFromClientErrors: true,
    // A document full of mistakes is refused with a few of them (request-errors.ts).
    validationOptions: REQUEST_VALIDATION_OPTIONS,
    // The gateway composes from `_service`, not introspection; introspection is a development aid.
    introspection: !options.production,
    // Inline traces feed Apollo Studio, which this platform does not use: pure per-request overhead.
    // Cache-control hints are read by no one here (the gateway caches by its own rules, not by
    // hints), and the plugin wraps every field resolver to compute them: per-field overhead.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ...requestErrorPlugins<TContext>(),
      errorLoggingPlugin<TContext>(),
      ...(options.metrics ? [graphqlMetricsPlugin<TContext>(options.metrics)] : []),
    ],
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
    metrics: options.metricsEndpoint,
    service: options.service,
    pressure: options.pressure,
    context: async ({ headers, requestId, remoteAddress }) => {
      const viewer = verifyViewer(options.tokens, headers.authorization);
      // Trusted only because the gateway secret was checked before this runs.
      const forwarded = headers[CLIENT_ADDRESS_HEADER];
      const clientAddress = typeof forwarded === 'string' && forwarded !== '' ? forwarded : remoteAddress;
      return options.createContext({
        viewer,
        requestId,
        clientAddress,
        // One child of the service's logger with both bindings, not a child of the request's child:
        // the same lines, one pino child per request instead of two.
        log: options.log.child({ requestId, viewer: viewer?.customerId }),
      });
    },
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? SUBGRAPH_KEEP_ALIVE_TIMEOUT_MS;
  const running = await listen(server, port);
  return {
    ...running,
    async close() {
      await running.close();
      await apollo.stop();
    },
  };
}
