import { readFile } from 'node:fs/promises';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { createTokenVerifier } from '@commerce-supergraph/shared/auth/jwt';
import { withRevocations } from '@commerce-supergraph/shared/auth/revocations';
import { RevocationFeed } from '@commerce-supergraph/shared/events/jetstream/revocation-feed';
import { REQUEST_VALIDATION_OPTIONS, requestErrorPlugins } from '@commerce-supergraph/shared/graphql/request-errors';
import { REVOCATIONS_READY_MS } from '@commerce-supergraph/shared/graphql/subgraph-service';
import { createGraphQLHttpServer, listen, type RunningServer } from '@commerce-supergraph/shared/http/server';
import { createLogger, type Logger } from '@commerce-supergraph/shared/logging';
import { graphqlMetricsPlugin } from '@commerce-supergraph/shared/observability/graphql-metrics';
import { ServiceMetrics } from '@commerce-supergraph/shared/observability/metrics';
import { graphqlPortMetrics } from '@commerce-supergraph/shared/observability/metrics-endpoint';
import { startMetricsServer } from '@commerce-supergraph/shared/observability/metrics-server';
import type { GraphQLSchema } from 'graphql';
import { createContextFunction, type GatewayContext } from './auth.js';
import { type CatalogEvents, followCatalogChanges } from './catalog-events.js';
import { TrustedProxies } from './client-address.js';
import type { GatewayConfig } from './config.js';
import { ForwardingDataSource } from './data-source.js';
import { createGatewayErrorFormatter, gatewayErrorLoggingPlugin } from './errors.js';
import { guardGateway } from './executor.js';
import { PublicCatalogCacheability } from './fetch-keys.js';
import { shareFetches } from './fetch-sharing.js';
import { createLimits } from './limits.js';
import { createOrderFeed, type OrderFeed } from './live/feed.js';
import { withLiveSchema } from './live/http-schema.js';
import { attachLiveServer } from './live/server.js';
import { createOrderSnapshot } from './live/snapshot.js';
import { timedFetcher } from './metrics.js';
import { keepGatewayOperations } from './operation-cache.js';
import { PublicCache } from './public-cache.js';
import { MemoryResponseStore, RedisResponseStore } from './response-store.js';
import { createPersistedDocuments, readManifest } from './safelist.js';
import { createStaticFiles } from './static-files.js';
import { createSubgraphConnections, type SubgraphConnections } from './subgraph-connections.js';
import { subgraphReadiness } from './subgraph-readiness.js';

export interface Gateway {
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  log?: Logger;
}

/** The one public endpoint: an Apollo gateway on the static supergraph, behind the shared HTTP server. */
export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const log = options.log ?? createLogger('gateway');
  // Revoked tokens are refused here already, from memory: a map fed from NATS (revocation-feed.ts).
  const revocationFeed = new RevocationFeed({
    natsUrl: config.natsUrl,
    natsAuth: config.natsAuth,
    service: 'gateway',
    log,
  });
  const tokens = withRevocations(createTokenVerifier(config.jwt), revocationFeed.revocations);
  /** Filled as the gateway builds its data sources: the URL each subgraph is really reached at. */
  const subgraphs = new Map<string, string>();
  /** The keep-alive pool of each subgraph, by name: its GraphQL fetches and its readiness probe. */
  const connections = new Map<string, SubgraphConnections>();
  let schemaLoaded = false;
  let apollo: ApolloServer<GatewayContext> | undefined;
  let running: RunningServer | undefined;
  let metricsServer: RunningServer | undefined;
  const metrics = new ServiceMetrics('gateway');
  let cache: PublicCache | undefined;
  let catalogEvents: CatalogEvents | undefined;
  let orderFeed: OrderFeed | undefined;
  let live: ReturnType<typeof attachLiveServer> | undefined;
  /** The API schema plus the gateway's subscriptions: what graphql-ws validates and runs against. */
  let liveSchema: GraphQLSchema | undefined;

  async function start(): Promise<{ url: string; port: number }> {
    for (const name of config.devDefaultsUsed) log.warn({ variable: name }, 'using the development default');
    revocationFeed.start();
    if (!(await revocationFeed.whenReady(REVOCATIONS_READY_MS))) {
      log.warn({ waitedMs: REVOCATIONS_READY_MS }, 'token revocations not read yet (NATS away); serving meanwhile');
    }
    const cacheConfig = config.publicCache;
    const cacheability = new PublicCatalogCacheability();
    if (cacheConfig.ttlMs > 0) {
      const store = cacheConfig.redisUrl
        ? new RedisResponseStore(cacheConfig.redisUrl, cacheConfig.keyPrefix, log)
        : new MemoryResponseStore();
      cache = new PublicCache(store, cacheability, cacheConfig.ttlMs);
      catalogEvents = followCatalogChanges({ url: config.natsUrl, auth: config.natsAuth }, cache, log);
    }
    // The gateway's model of each operation, for shaping responses, is kept per parsed document.
    if (!keepGatewayOperations())
      log.warn(
        "the gateway's copy of @apollo/federation-internals could not be taken over: each request's operation is modelled anew",
      );
    const gateway = new ApolloGateway({
      supergraphSdl: await readSupergraph(config.supergraphPath),
      logger: log,
      buildService: ({ name, url }) => {
        const target = config.subgraphUrls[name] ?? url;
        if (!target) throw new Error(`Subgraph "${name}" has no routing URL in the supergraph and no override`);
        subgraphs.set(name, target);
        const pool = createSubgraphConnections(target, {
          keepAliveMs: config.subgraphKeepAliveMs,
          connections: config.subgraphConnections,
          ...config.subgraphQueue,
          log,
        });
        connections.set(name, pool);
        return new ForwardingDataSource({
          name,
          url: target,
          gatewaySecret: config.gatewaySecret,
          // Identical fetches in flight are sent once; anonymous catalog answers may come from the cache.
          // The metric times what really goes to the subgraph.
          fetcher: shareFetches(timedFetcher(metrics, name, pool.fetcher), { subgraph: name, cache }),
          retryAfterSeconds: config.retryAfterSeconds,
          isPublic: (request) => cacheability.isPublicEntityFetch(name, request.query, request.variables),
        });
      },
    });
    // Client mistakes the query planner would answer with HTTP 500 are answered as such (executor.ts);
    // the schema Apollo Server serves, introspection included, has the live subscriptions (http-schema.ts).
    const served = withLiveSchema(guardGateway(gateway), log);
    served.onSchemaLoadOrUpdate(({ apiSchema }) => {
      schemaLoaded = true;
      liveSchema = apiSchema.getSubscriptionType() ? apiSchema : undefined;
    });
    const limits = createLimits(config.limits);
    const manifest = await readManifest(config.persistedDocuments.manifestPath);
    const persisted = createPersistedDocuments<GatewayContext>(manifest, {
      safelist: config.persistedDocuments.safelist,
      introspection: config.introspection,
      log,
    });
    apollo = new ApolloServer<GatewayContext>({
      gateway: served,
      logger: log,
      nodeEnv: config.production ? 'production' : 'development',
      parseOptions: limits.parseOptions,
      validationRules: limits.validationRules,
      validationOptions: REQUEST_VALIDATION_OPTIONS,
      formatError: createGatewayErrorFormatter(config.production),
      includeStacktraceInErrorResponses: !config.production,
      hideSchemaDetailsFromClientErrors: true,
      introspection: config.introspection,
      csrfPrevention: true,
      allowBatchedHttpRequests: false,
      // The frontends' operations by id, and with GATEWAY_SAFELIST only them (safelist.ts).
      persistedQueries: persisted.persistedQueries,
      // index.ts owns the process signals, so stopping has one order: HTTP server first, then Apollo.
      stopOnTerminationSignals: false,
      plugins: [
        // No cache-control hints: nothing reads them (the public cache has its own rules, fetch-keys.ts).
        ApolloServerPluginCacheControlDisabled(),
        persisted.plugin,
        gatewayErrorLoggingPlugin(),
        graphqlMetricsPlugin<GatewayContext>(metrics),
        ...requestErrorPlugins<GatewayContext>(),
        config.introspection ? ApolloServerPluginLandingPageLocalDefault() : ApolloServerPluginLandingPageDisabled(),
      ],
    });
    persisted.attach(apollo);
    await apollo.start();
    const server = createGraphQLHttpServer({
      apollo,
      log,
      context: createContextFunction(tokens, new TrustedProxies(config.trustedProxies), log),
      // Never public on this port in production: METRICS_PORT or METRICS_TOKEN (metrics-endpoint.ts).
      metrics: graphqlPortMetrics(metrics, config.metrics, config.production),
      service: 'gateway',
      readiness: {
        supergraph: async () => {
          if (!schemaLoaded) throw new Error('the supergraph is not loaded');
        },
        // A subgraph's own `/ready` (its database), asked within 1 s: the gateway is only as ready as what it routes to.
        ...Object.fromEntries(
          [...connections].map(([name, pool]) => [`subgraph:${name}`, subgraphReadiness((ms) => pool.probe(ms))]),
        ),
      },
      health: () => ({ liveOrders: orderFeed?.isReady() ? 'connected' : 'connecting' }),
      fallback: config.storefrontDir ? createStaticFiles(config.storefrontDir) : undefined,
    });
    orderFeed = createOrderFeed({
      natsUrl: config.natsUrl,
      natsAuth: config.natsAuth,
      log: log.child({ part: 'live' }),
    });
    orderFeed.start();
    live = attachLiveServer({
      server,
      schema: () => liveSchema,
      tokens,
      feed: orderFeed,
      snapshot: createOrderSnapshot(() => apollo, manifest, log),
      limits: config.live,
      production: config.production,
      log,
    });
    running = await listen(server, config.port);
    metricsServer = await startMetricsServer(metrics, config.metrics ?? {}, log);
    log.info(
      {
        url: running.url,
        subgraphs: Object.fromEntries(subgraphs),
        jwtKeyIds: config.jwt.publicKeys.map((key) => key.kid),
      },
      'gateway ready',
    );
    return { url: running.url, port: running.port };
  }

  async function stop(): Promise<void> {
    // Live connections first: an open WebSocket would keep the HTTP server from closing.
    await live?.close();
    await orderFeed?.close();
    await running?.close();
    await metricsServer?.close(1_000);
    await apollo?.stop();
    await Promise.all([...connections.values()].map((pool) => pool.close()));
    connections.clear();
    await revocationFeed.stop();
    await catalogEvents?.close();
    await cache?.store.close();
    catalogEvents = undefined;
    cache = undefined;
    running = undefined;
    metricsServer = undefined;
    apollo = undefined;
    live = undefined;
    orderFeed = undefined;
  }

  return { start, stop };
}

async function readSupergraph(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the supergraph at ${path} (run \`npm run compose\`): ${(error as Error).message}`);
  }
}
